"""Well-formed webhook bodies with values the database or the invoices cannot hold
are answered 400 naming the field, and nothing is stored (issue: bad input)."""

import json

import pytest
from django.urls import reverse

from orders.models import Order
from performile.models import InboundDelivery
from tests.orders.payloads import shopify_headers, shopify_order, sign_hex

pytestmark = pytest.mark.django_db


def post_raw(client, store, body: bytes):
    return client.post(
        reverse("webhook-shopify", args=[store.webhook_key]),
        body,
        content_type="application/json",
        **shopify_headers(store.webhook_secret, body),
    )


def line(**fields):
    return [{"sku": "S", "title": "T", "quantity": 1, "price": "1.00", **fields}]


CASES = {
    "total of 5,000 digits": shopify_order(total_price="9" * 5000),
    "total 1e400": shopify_order(total_price="1e400"),
    "quantity 2^31": shopify_order(line_items=line(quantity=2**31)),
    "quantity 10^30": shopify_order(line_items=line(quantity=10**30)),
    "order number over 64": shopify_order(name="#" + "9" * 70),
    "email over 254": shopify_order(email="a" * 250 + "@example.com"),
    "name as a list": shopify_order(
        customer={"first_name": ["B"], "last_name": "N", "email": "b@example.com"}
    ),
    "an address part as a boolean": shopify_order(
        shipping_address={"first_name": "Bob", "last_name": True, "city": "Lund"}
    ),
    "an address line as a list": shopify_order(
        shipping_address={"address1": ["Storgatan 1"], "city": "Lund"}
    ),
    "NUL in the note": shopify_order(note="a\u0000b"),
    "NUL in a line title": shopify_order(line_items=line(title="a\u0000b")),
    "a line too large to invoice": shopify_order(
        financial_status="paid",
        line_items=line(price="9999999999.99", quantity=2147483647),
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_a_value_out_of_bounds_is_400_and_stores_nothing(client, store, case):
    body = json.dumps(CASES[case]).encode()
    response = post_raw(client, store, body)

    assert response.status_code == 400, (case, response.content[:300])
    assert response.json()["error"]["message"]
    assert not Order.objects.exists()
    assert not InboundDelivery.objects.exists()


def test_a_lone_surrogate_is_400(client, store):
    body = json.dumps(shopify_order(note="\ud800")).encode()  # escaped: valid JSON
    response = post_raw(client, store, body)

    assert response.status_code == 400, response.content[:300]
    assert not Order.objects.exists()


def test_a_name_given_as_a_number_is_read_as_text(client, store):
    body = json.dumps(
        shopify_order(
            customer={"first_name": 123, "last_name": "N", "email": "b@example.com"}
        )
    ).encode()
    response = post_raw(client, store, body)

    assert response.status_code == 200, response.content[:300]
    assert Order.objects.get().customer.name == "123 N"


def test_an_order_number_too_long_is_refused_at_every_door(client, store):
    """Our own door cut it to 64 characters: another order's number, perhaps."""
    body = json.dumps(
        {"event": "order.created", "order": {"order_number": "9" * 70, "amount": "1"}}
    ).encode()
    response = client.post(
        reverse("webhook-orders", args=[store.webhook_key]),
        body,
        content_type="application/json",
        HTTP_X_PERFORMILE_SIGNATURE="sha256=" + sign_hex(store.webhook_secret, body),
        HTTP_X_PERFORMILE_DELIVERY="d-1",
    )

    assert response.status_code == 400, response.content[:300]
    assert "'order_number' is longer than 64" in response.json()["error"]["message"]
    assert not Order.objects.exists()


def test_texts_only_people_read_are_shortened_to_their_columns(client, store):
    payload = shopify_order(
        line_items=line(title="T" * 400),
        payment_gateway_names=["gateway-" + "x" * 80],
    )
    response = post_raw(client, store, json.dumps(payload).encode())

    assert response.status_code == 200, response.content[:300]
    order = Order.objects.get()
    assert order.lines.get().title == "T" * 300
    assert order.payment_method == ("gateway-" + "x" * 80)[:50]
