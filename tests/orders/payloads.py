"""Webshop payloads in each provider's documented shape, and their signatures."""

import base64
import hashlib
import hmac
import json
import uuid

from django.urls import reverse


def sign_base64(secret: str, body: bytes) -> str:
    return base64.b64encode(
        hmac.new(secret.encode(), body, hashlib.sha256).digest()
    ).decode()


def sign_hex(secret: str, body: bytes) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def shopify_order(order_id=450789469, name="#1001", **overrides) -> dict:
    order = {
        "id": order_id,
        "name": name,
        "order_number": int(name.strip("#")) if name.strip("#").isdigit() else 1001,
        "email": "bob.norman@example.com",
        "phone": "+46701234567",
        "created_at": "2026-11-20T10:15:00-05:00",
        "updated_at": "2026-11-20T10:15:00-05:00",
        "currency": "SEK",
        "financial_status": "pending",
        "fulfillment_status": None,
        "cancelled_at": None,
        "total_price": "598.94",
        "note": "Leave at the door",
        "payment_gateway_names": ["shopify_payments"],
        "customer": {
            "first_name": "Bob",
            "last_name": "Norman",
            "email": "bob.norman@example.com",
        },
        "line_items": [
            {
                "sku": "IPOD2008PINK",
                "title": "IPod Nano - 8gb",
                "quantity": 1,
                "price": "199.00",
            },
            {"sku": "CASE-1", "title": "Case", "quantity": 2, "price": "199.97"},
        ],
        "shipping_address": {
            "first_name": "Bob",
            "last_name": "Norman",
            "address1": "Storgatan 1",
            "city": "Stockholm",
            "zip": "111 22",
            "country_code": "SE",
            "phone": "+46701234567",
        },
        "fulfillments": [],
    }
    order.update(overrides)
    return order


def shopify_headers(
    secret: str, body: bytes, *, topic="orders/create", webhook_id=None, event_id=None
):
    headers = {
        "HTTP_X_SHOPIFY_HMAC_SHA256": sign_base64(secret, body),
        "HTTP_X_SHOPIFY_TOPIC": topic,
        "HTTP_X_SHOPIFY_SHOP_DOMAIN": "nordic.myshopify.com",
        "HTTP_X_SHOPIFY_WEBHOOK_ID": webhook_id or str(uuid.uuid4()),
        "HTTP_X_SHOPIFY_API_VERSION": "2025-10",
    }
    if event_id:
        headers["HTTP_X_SHOPIFY_EVENT_ID"] = event_id
    return headers


def woo_order(order_id=727, **overrides) -> dict:
    order = {
        "id": order_id,
        "number": str(order_id),
        "status": "processing",
        "currency": "NOK",
        "total": "29.35",
        "date_created_gmt": "2026-11-20T09:00:00",
        "date_modified_gmt": "2026-11-20T09:00:00",
        "payment_method_title": "Direct Bank Transfer",
        "customer_note": "",
        "billing": {
            "first_name": "John",
            "last_name": "Doe",
            "email": "john.doe@example.com",
            "phone": "(555) 555-5555",
        },
        "shipping": {
            "first_name": "John",
            "last_name": "Doe",
            "address_1": "Karl Johans gate 1",
            "city": "Oslo",
            "postcode": "0154",
            "country": "NO",
        },
        "line_items": [
            {"name": "Woo Single #1", "sku": "", "quantity": 2, "price": 3},
            {
                "name": "Ship Your Idea",
                "sku": "SYI",
                "quantity": 1,
                "price": 21.666666666666668,
            },
        ],
        "meta_data": [],
    }
    order.update(overrides)
    return order


def woo_headers(secret: str, body: bytes, *, topic="order.created"):
    return {
        "HTTP_X_WC_WEBHOOK_SIGNATURE": sign_base64(secret, body),
        "HTTP_X_WC_WEBHOOK_SOURCE": "https://shop.example.com/",
        "HTTP_X_WC_WEBHOOK_TOPIC": topic,
        "HTTP_X_WC_WEBHOOK_RESOURCE": "order",
        "HTTP_X_WC_WEBHOOK_EVENT": topic.split(".")[1],
        "HTTP_X_WC_WEBHOOK_ID": "12",
        "HTTP_X_WC_WEBHOOK_DELIVERY_ID": str(uuid.uuid4()),
    }


def dumps(payload) -> bytes:
    return json.dumps(payload).encode()


def post_shopify(client, store, payload, **header_options):
    """POST a signed Shopify webhook to the store's endpoint."""
    return _post(
        client, "webhook-shopify", store, payload, shopify_headers, **header_options
    )


def post_woo(client, store, payload, **header_options):
    """POST a signed WooCommerce webhook to the store's endpoint."""
    return _post(
        client, "webhook-woocommerce", store, payload, woo_headers, **header_options
    )


def _post(client, url_name, store, payload, headers, **header_options):
    body = dumps(payload)
    return client.post(
        reverse(url_name, args=[store.webhook_key]),
        body,
        content_type="application/json",
        **headers(store.webhook_secret, body, **header_options),
    )
