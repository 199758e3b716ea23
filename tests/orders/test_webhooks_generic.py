from decimal import Decimal

import pytest
from django.urls import reverse

from orders.models import Order
from orders.state_machine import OrderStatus
from tests.orders.payloads import dumps, sign_hex

pytestmark = pytest.mark.django_db


def post(client, store, payload, *, secret=None, delivery="d-1", body=None):
    body = dumps(payload) if body is None else body
    headers = {
        "HTTP_X_PERFORMILE_SIGNATURE": "sha256="
        + sign_hex(secret or store.webhook_secret, body)
    }
    if delivery:
        headers["HTTP_X_PERFORMILE_DELIVERY"] = delivery
    url = reverse("webhook-orders", args=[store.webhook_key])
    return client.post(url, body, content_type="application/json", **headers)


def event(**order):
    base = {
        "order_number": "STRIPE_123456",
        "amount": "$200.00",
        "service": "Website Development",
        "payment_method": "stripe",
        "customer": {"name": "Ada", "email": "ada@example.com", "phone": "+4712345678"},
    }
    return {"event": "order.created", "order": {**base, **order}}


def test_created_with_dollar_amount_and_currency_from_the_text(client, store):
    response = post(client, store, event(status="payment_verified"))
    assert response.status_code == 200, response.content
    order = Order.objects.get()
    assert (order.amount, order.currency) == (Decimal("200.00"), "USD")
    assert order.status == OrderStatus.PAYMENT_VERIFIED
    assert order.source == "api"


def test_plain_amount_takes_the_store_currency(client, store):
    post(client, store, event(amount="150"))
    order = Order.objects.get()
    assert (order.amount, order.currency) == (Decimal("150.00"), store.currency)


def test_update_through_the_state_machine(client, store):
    post(client, store, event(status="payment_verified"))
    response = post(
        client,
        store,
        {
            "event": "order.updated",
            "order": {
                "order_number": "STRIPE_123456",
                "amount": "200",
                "status": "in_progress",
            },
        },
        delivery="d-2",
    )
    assert response.status_code == 200
    assert Order.objects.get().status == OrderStatus.IN_PROGRESS


def test_duplicate_delivery(client, store):
    post(client, store, event())
    assert post(client, store, event(notes="again")).json()["status"] == "duplicate"
    assert Order.objects.get().notes == ""


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ({"event": "order.deleted", "order": {}}, "'event' must be one of"),
        ({"event": "order.created"}, "'order' must be an object"),
        (
            {"event": "order.created", "order": {"amount": "1"}},
            "'order.order_number' is required",
        ),
        (
            {"event": "order.created", "order": {"order_number": "A", "amount": "-5"}},
            "cannot be negative",
        ),
        (
            {
                "event": "order.created",
                "order": {"order_number": "A", "status": "lost"},
            },
            "'order.status' must be one of",
        ),
    ],
)
def test_malformed(client, store, payload, message):
    response = post(client, store, payload)
    assert response.status_code == 400
    assert message in response.json()["error"]["message"]
    assert not Order.objects.exists()


def test_missing_delivery_id_is_400(client, store):
    response = post(client, store, event(), delivery=None)
    assert response.status_code == 400
    assert "X-Performile-Delivery" in response.json()["error"]["message"]


def test_bad_signature(client, store):
    assert post(client, store, event(), secret="wrong").status_code == 401
    assert not Order.objects.exists()


def test_tracking_url_must_be_a_web_url(client, store):
    response = post(client, store, event(tracking_url="javascript:alert(1)"))
    assert response.status_code == 400
    assert "'order.tracking_url'" in response.json()["error"]["message"]
