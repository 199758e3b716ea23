"""No body a webshop's endpoint is sent, correctly signed, reaches a 500 or leaves
a delivery failing: Shopify's order, refund and fulfillment topics, WooCommerce's
orders and our own orders door, from their documented samples changed at random,
and any JSON (tests/properties.py)."""

import json

import pytest
from django.urls import reverse

from tests.orders.payloads import shopify_headers, sign_hex, woo_headers
from tests.orders.samples import (
    shopify_sample_fulfillment,
    shopify_sample_order,
    shopify_sample_refund,
    woo_sample_order,
)
from tests.properties import any_json, assert_always_answered_well, mutated

pytestmark = pytest.mark.django_db


def sender(client, url_name, store, headers):
    def send(payload):
        body = json.dumps(payload).encode()
        return client.post(
            reverse(url_name, args=[store.webhook_key]),
            body,
            content_type="application/json",
            **headers(store.webhook_secret, body),
        )

    return send


def shopify(topic):
    return lambda secret, body: shopify_headers(secret, body, topic=topic)


def generic(secret, body):
    return {"HTTP_X_PERFORMILE_SIGNATURE": "sha256=" + sign_hex(secret, body)}


SHOPIFY = {
    "orders/create": shopify_sample_order(),
    "orders/updated": shopify_sample_order(financial_status="paid"),
    "refunds/create": shopify_sample_refund(),
    "fulfillments/create": shopify_sample_fulfillment(),
}
GENERIC = {
    "event": "order.created",
    "order": {
        "order_number": "STRIPE_123456",
        "amount": "$200.00",
        "service": "Website Development",
        "payment_method": "stripe",
        "status": "payment_verified",
        "customer": {"name": "Ada", "email": "ada@example.com", "phone": "+4712345"},
        "lines": [{"title": "Hours", "quantity": 2, "unit_price": "100.00"}],
    },
}


@pytest.mark.parametrize("topic", list(SHOPIFY))
def test_shopify_answers_any_changed_sample_without_a_server_error(
    client, store, topic
):
    # The sample order exists, so refunds and fulfillments of it get far.
    create = sender(client, "webhook-shopify", store, shopify("orders/create"))
    assert create(shopify_sample_order()).status_code == 200

    send = sender(client, "webhook-shopify", store, shopify(topic))
    assert_always_answered_well(mutated(SHOPIFY[topic]), send)


@pytest.mark.parametrize(
    ("url_name", "headers", "sample"),
    [
        ("webhook-shopify", shopify("orders/create"), None),
        ("webhook-woocommerce", woo_headers, woo_sample_order()),
        ("webhook-woocommerce", woo_headers, None),
        ("webhook-orders", generic, GENERIC),
        ("webhook-orders", generic, None),
    ],
    ids=[
        "shopify-any",
        "woocommerce-changed",
        "woocommerce-any",
        "ours-changed",
        "ours-any",
    ],
)
def test_a_webshop_door_answers_without_a_server_error(
    client, store, url_name, headers, sample
):
    examples = any_json if sample is None else mutated(sample)
    assert_always_answered_well(examples, sender(client, url_name, store, headers))
