"""Webshop order webhooks: verify, record, call the orders service.

URLs carry the store's public webhook key; the store's secret (and, for an hour after
a rotation, its previous one) verifies the signature over the raw body.
"""

import logging
from datetime import timedelta

from django.http import Http404
from django.utils import timezone

from orders.ingestion import generic, shopify, woocommerce
from orders.models import Source, Store
from orders.services import order_upsert_from_webshop, order_webshop_event
from performile.webhooks import (
    BadSignature,
    MalformedPayload,
    accepted,
    base64_hmac,
    hex_hmac,
    parse_json_object,
    receive,
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


def _upsert(store, incoming, provider, delivery_ids, actor_label):
    result = receive(
        provider=provider,
        delivery_ids=delivery_ids,
        handle=lambda: order_upsert_from_webshop(
            store=store, incoming=incoming, actor_label=actor_label
        ),
    )
    if result is None:
        return accepted(duplicate=True)
    order, outcome = result
    logger.info(
        "order %s from %s",
        outcome,
        provider,
        extra={"store_id": store.pk, "order_id": order.pk, "status": order.status},
    )
    return accepted(
        order_id=order.pk,
        order_number=order.order_number,
        created=outcome == "created",
    )


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
    payload = parse_json_object(body)
    delivery_ids = [f"{store.pk}:webhook:{webhook_id}"]
    event_id = request.headers.get("X-Shopify-Event-Id")
    if event_id:
        shop = request.headers.get("X-Shopify-Shop-Domain", "")
        delivery_ids.append(f"{store.pk}:event:{shop}:{topic}:{event_id}")
    if topic in shopify.ORDER_TOPICS:
        incoming = shopify.parse_order(payload, default_currency=store.currency)
        return _upsert(store, incoming, "shopify", delivery_ids, "Shopify")
    if topic in shopify.REFUND_TOPICS:
        order_id, money = shopify.parse_refund_event(payload)
        event = {"money": money}
    else:
        order_id, tracking = shopify.parse_fulfillment(payload)
        event = {"tracking": tracking}
    return _event(store, Source.SHOPIFY, order_id, delivery_ids, "Shopify", event)


def _event(store, source, external_id, delivery_ids, actor_label, event):
    result = receive(
        provider=source,
        delivery_ids=delivery_ids,
        handle=lambda: order_webshop_event(
            store=store,
            source=source,
            external_id=external_id,
            actor_label=actor_label,
            **event,
        ),
    )
    if result is None:
        return accepted(duplicate=True)
    return accepted(order_id=result.pk, order_number=result.order_number)


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
    payload = parse_json_object(body)
    incoming = woocommerce.parse_order(payload, default_currency=store.currency)
    # Delivery ids are new on every send; this tuple is what identifies a change.
    delivery_id = ":".join(
        [
            str(store.pk),
            request.headers.get("X-WC-Webhook-Source", ""),
            request.headers.get("X-WC-Webhook-ID", ""),
            incoming.external_id,
            str(payload.get("date_modified_gmt") or ""),
            topic,
        ]
    )
    return _upsert(store, incoming, "woocommerce", [delivery_id], "WooCommerce")


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
    delivery_id = _required_header(request, "X-Performile-Delivery")
    _event, incoming = generic.parse_event(
        parse_json_object(body), default_currency=store.currency
    )
    return _upsert(
        store, incoming, "orders-api", [f"{store.pk}:{delivery_id}"], store.name
    )
