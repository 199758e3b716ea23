"""Webshop order webhooks: verify, read, record (the orders applier applies them).

URLs carry the store's public webhook key; the store's secret (and, for an hour after
a rotation, its previous one) verifies the signature over the raw body.
"""

import json
import logging
from dataclasses import dataclass, field
from datetime import timedelta

from django.http import Http404, HttpRequest
from django.utils import timezone

from orders.ingestion import generic, shopify, woocommerce
from orders.ingestion.incoming import IncomingOrder
from orders.models import Store
from performile.webhooks import (
    BadSignature,
    MalformedPayload,
    WebhookRejected,
    accepted,
    acknowledge,
    base64_hmac,
    hex_hmac,
    parse_json_object,
    signature_matches,
    webhook_endpoint,
)

SECRET_OVERLAP = timedelta(hours=1)
logger = logging.getLogger(__name__)


def _store(webhook_key) -> Store:
    try:
        return Store.objects.get(webhook_key=webhook_key)
    except Store.DoesNotExist as exc:
        raise Http404 from exc


def _secrets(store: Store) -> list[str]:
    secrets = [store.webhook_secret] if store.webhook_secret else []
    rotated = store.webhook_secret_rotated_at
    if (
        store.previous_webhook_secret
        and rotated
        and timezone.now() - rotated < SECRET_OVERLAP
    ):
        secrets.append(store.previous_webhook_secret)
    return secrets


def _verify(store: Store, given: str | None, sign, header: str) -> None:
    if not any(signature_matches(sign(secret), given) for secret in _secrets(store)):
        raise BadSignature(f"{header} does not match the body.")


def _required_header(request, name: str) -> str:
    value = request.headers.get(name, "").strip()
    if not value:
        raise MalformedPayload(f"The {name} header is required.")
    return value


@webhook_endpoint
def shopify_orders(request, webhook_key):
    store = _store(webhook_key)
    body = request.body
    _verify(
        store,
        request.headers.get("X-Shopify-Hmac-Sha256"),
        lambda secret: base64_hmac(secret, body),
        "X-Shopify-Hmac-Sha256",
    )
    topic = _required_header(request, "X-Shopify-Topic")
    if topic not in shopify.TOPICS:
        return accepted(ignored=f"topic {topic}")
    webhook_id = _required_header(request, "X-Shopify-Webhook-Id")
    event = shopify_event(request, store)
    return _acknowledge(
        request, store, "shopify", f"{store.pk}:webhook:{webhook_id}", event
    )


@webhook_endpoint
def woocommerce_orders(request, webhook_key):
    store = _store(webhook_key)
    body = request.body
    signature = request.headers.get("X-WC-Webhook-Signature")
    if not signature and body.startswith(b"webhook_id="):
        # WooCommerce's unsigned ping when a webhook is saved; it needs a 200.
        return accepted(ping=True)
    _verify(
        store,
        signature,
        lambda secret: base64_hmac(secret, body),
        "X-WC-Webhook-Signature",
    )
    topic = _required_header(request, "X-WC-Webhook-Topic")
    if topic not in woocommerce.TOPICS:
        return accepted(ignored=f"topic {topic}")
    event = woocommerce_event(request, store)
    return _acknowledge(request, store, "woocommerce", event.keys[0], event)


@webhook_endpoint
def generic_orders(request, webhook_key):
    store = _store(webhook_key)
    body = request.body
    given = request.headers.get("X-Performile-Signature", "")
    _verify(
        store,
        given.removeprefix("sha256="),
        lambda secret: hex_hmac(secret, body),
        "X-Performile-Signature",
    )
    _required_header(request, "X-Performile-Delivery")
    event = generic_event(request, store)
    return _acknowledge(request, store, "orders-api", event.keys[0], event)


def _acknowledge(request, store, provider, delivery_id, event):
    return acknowledge(
        request,
        provider=provider,
        delivery_id=delivery_id,
        entity=f"order:{store.pk}:{event.external_id}",
        store_id=store.pk,
        merchant_id=store.merchant_id,
    )


# --- Reading a delivery: at the door (to refuse a bad one) and in the applier -----


@dataclass(frozen=True)
class WebshopEvent:
    """What a webshop delivery says: an order to create or update, or money or
    tracking for an order we have (`change`), and the ids that make it unique."""

    keys: list[str]
    external_id: str
    incoming: IncomingOrder | None = None
    change: dict = field(default_factory=dict)


def shopify_event(request, store: Store) -> WebshopEvent:
    topic = request.headers["X-Shopify-Topic"]
    keys = [f"{store.pk}:webhook:{request.headers['X-Shopify-Webhook-Id']}"]
    event_id = request.headers.get("X-Shopify-Event-Id")
    if event_id:
        shop = request.headers.get("X-Shopify-Shop-Domain", "")
        keys.append(f"{store.pk}:event:{shop}:{topic}:{event_id}")
    payload = parse_json_object(request.body)
    if topic in shopify.ORDER_TOPICS:
        incoming = shopify.parse_order(payload, default_currency=store.currency)
        return WebshopEvent(keys, incoming.external_id, incoming=incoming)
    if topic in shopify.REFUND_TOPICS:
        order_id, money = shopify.parse_refund_event(payload)
        return WebshopEvent(keys, order_id, change={"money": money})
    order_id, tracking = shopify.parse_fulfillment(payload)
    return WebshopEvent(keys, order_id, change={"tracking": tracking})


def woocommerce_event(request, store: Store) -> WebshopEvent:
    payload = parse_json_object(request.body)
    incoming = woocommerce.parse_order(payload, default_currency=store.currency)
    # Delivery ids are new on every send; this tuple is what identifies a change.
    delivery_id = ":".join(
        [
            str(store.pk),
            request.headers.get("X-WC-Webhook-Source", ""),
            request.headers.get("X-WC-Webhook-ID", ""),
            incoming.external_id,
            str(payload.get("date_modified_gmt") or ""),
            request.headers["X-WC-Webhook-Topic"],
        ]
    )
    return WebshopEvent([delivery_id], incoming.external_id, incoming=incoming)


def generic_event(request, store: Store) -> WebshopEvent:
    delivery_id = request.headers["X-Performile-Delivery"].strip()
    _event, incoming = generic.parse_event(
        parse_json_object(request.body), default_currency=store.currency
    )
    return WebshopEvent(
        [f"{store.pk}:{delivery_id}"],
        incoming.external_id or incoming.order_number,
        incoming=incoming,
    )


# --- A test delivery (the settings' "Send a test webhook") ------------------------


@dataclass(frozen=True)
class DeliveryCheck:
    """What the endpoint made of a signed sample delivery: accepted (`ok`), or the
    status and reason it would have refused it with. Nothing is recorded."""

    ok: bool
    status: int
    message: str


SAMPLE_ORDER_ID = "performile-test-1"


def webhook_test_delivery(store: Store, *, secret: str = "") -> DeliveryCheck:
    """Sign a sample order the way the store's platform signs it (with `secret`,
    the one set in the shop, or else the store's own) and run it through the
    endpoint's verification and reading, everything but the recording: does a
    delivery signed so get in, and would its order be read?"""
    platform = store.platform if store.platform in _SAMPLES else "api"
    body, headers = _SAMPLES[platform](store, secret or store.webhook_secret)
    request = HttpRequest()
    request.method = "POST"
    request._body = body
    request.META = {
        "HTTP_" + name.upper().replace("-", "_"): value
        for name, value in headers.items()
    }
    sign, read, header = _CHECKS[platform]
    given = request.headers.get(header, "").removeprefix("sha256=")
    try:
        if not store.webhook_secret:
            raise BadSignature("The store has no webhook secret: rotate to make one.")
        _verify(store, given, lambda key: sign(key, body), header)
        event = read(request, store)
    except WebhookRejected as exc:
        return DeliveryCheck(False, exc.http_status, exc.message)
    incoming = event.incoming
    return DeliveryCheck(
        True,
        200,
        f"Signature verified; sample order {incoming.order_number} read"
        f" ({incoming.amount} {incoming.currency}). Nothing was recorded.",
    )


def _sample_order(store: Store) -> dict:
    return {
        "id": SAMPLE_ORDER_ID,
        "name": "#TEST-1001",
        "number": "TEST-1001",
        "order_number": "TEST-1001",
        "currency": store.currency,
        "total_price": "249.00",
        "total": "249.00",
        "amount": "249.00",
        "status": "processing",
        "email": "test.customer@example.com",
    }


def _shopify_sample(store: Store, secret: str) -> tuple[bytes, dict]:
    order = _sample_order(store)
    order["line_items"] = [{"title": "Test item", "price": "249.00", "quantity": 1}]
    body = json.dumps(order).encode()
    return body, {
        "X-Shopify-Hmac-Sha256": base64_hmac(secret, body),
        "X-Shopify-Topic": "orders/create",
        "X-Shopify-Webhook-Id": "performile-test",
        "X-Shopify-Shop-Domain": store.domain,
    }


def _woocommerce_sample(store: Store, secret: str) -> tuple[bytes, dict]:
    body = json.dumps(_sample_order(store)).encode()
    return body, {
        "X-WC-Webhook-Signature": base64_hmac(secret, body),
        "X-WC-Webhook-Topic": "order.created",
        "X-WC-Webhook-ID": "0",
        "X-WC-Webhook-Source": store.domain,
    }


def _generic_sample(store: Store, secret: str) -> tuple[bytes, dict]:
    order = _sample_order(store)
    payload = {
        "event": "order.created",
        "order": {
            "id": order["id"],
            "order_number": order["order_number"],
            "amount": order["amount"],
            "currency": order["currency"],
        },
    }
    body = json.dumps(payload).encode()
    return body, {
        "X-Performile-Signature": "sha256=" + hex_hmac(secret, body),
        "X-Performile-Delivery": "performile-test",
    }


_SAMPLES = {
    "shopify": _shopify_sample,
    "woocommerce": _woocommerce_sample,
    "api": _generic_sample,
}
# Per platform: how a secret signs the body, the endpoint's reader, and the
# signature header (as the endpoints above use them).
_CHECKS = {
    "shopify": (base64_hmac, shopify_event, "X-Shopify-Hmac-Sha256"),
    "woocommerce": (base64_hmac, woocommerce_event, "X-WC-Webhook-Signature"),
    "api": (hex_hmac, generic_event, "X-Performile-Signature"),
}
