"""Webshop order webhooks: verify, read, record (the orders applier applies them).

URLs carry the store's public webhook key; the store's secret (and, for an hour after
a rotation, its previous one) verifies the signature over the raw body.
"""

import logging
from dataclasses import dataclass, field
from datetime import timedelta

from django.http import Http404
from django.utils import timezone

from orders.ingestion import generic, shopify, woocommerce
from orders.ingestion.incoming import IncomingOrder
from orders.models import Store
from performile.webhooks import (
    BadSignature,
    MalformedPayload,
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
