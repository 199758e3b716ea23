from decimal import Decimal

import pytest
from django.urls import reverse

from orders.models import Order
from orders.state_machine import OrderStatus
from performile.models import InboundDelivery
from tests.orders.payloads import dumps, woo_headers, woo_order

pytestmark = pytest.mark.django_db


def post(client, store, payload, *, secret=None, body=None, **options):
    body = dumps(payload) if body is None else body
    headers = woo_headers(secret or store.webhook_secret, body, **options)
    url = reverse("webhook-woocommerce", args=[store.webhook_key])
    return client.post(url, body, content_type="application/json", **headers)


def test_new_order_is_created(client, store):
    response = post(client, store, woo_order())
    assert response.status_code == 200, response.content
    order = Order.objects.get()
    assert (order.order_number, order.external_id, order.source) == (
        "727",
        "727",
        "woocommerce",
    )
    assert order.status == OrderStatus.PAYMENT_VERIFIED  # "processing" = paid
    assert order.amount == Decimal("29.35")
    assert order.currency == "NOK"
    assert order.customer.email == "john.doe@example.com"
    assert order.delivery_address["city"] == "Oslo"
    prices = [line.unit_price for line in order.lines.all()]
    assert prices == [Decimal("3.00"), Decimal("21.67")]


def test_ping_on_webhook_creation_gets_200(client, store):
    url = reverse("webhook-woocommerce", args=[store.webhook_key])
    response = client.post(
        url, b"webhook_id=12", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 200
    assert not Order.objects.exists()


def test_resend_of_the_same_change_is_a_duplicate(client, store):
    """Delivery ids are new on every send; the same order change is still one."""
    post(client, store, woo_order())
    response = post(client, store, woo_order())
    assert response.json()["status"] == "duplicate"
    assert Order.objects.count() == 1


def test_bad_signature_is_401(client, store):
    assert post(client, store, woo_order(), secret="nope").status_code == 401
    assert not Order.objects.exists()
    assert not InboundDelivery.objects.exists()


def test_malformed_is_400(client, store):
    response = post(client, store, woo_order(line_items=[{"quantity": 1}]))
    assert response.status_code == 400
    assert "line_items[0].name" in response.json()["error"]["message"]


def test_update_with_tracking_and_completion(client, store):
    post(client, store, woo_order())
    tracking = {
        "key": "_wc_shipment_tracking_items",
        "value": [
            {
                "tracking_provider": "Bring",
                "tracking_number": "TESTPACKAGEATPICKUPPOINT",
            }
        ],
    }
    response = post(
        client,
        store,
        woo_order(
            status="completed",
            date_modified_gmt="2026-11-21T09:00:00",
            meta_data=[tracking],
        ),
        topic="order.updated",
    )
    assert response.status_code == 200
    order = Order.objects.get()
    assert order.status == OrderStatus.SHIPPED
    assert (order.tracking_number, order.courier) == (
        "TESTPACKAGEATPICKUPPOINT",
        "Bring",
    )


def test_on_hold_order_is_created_then_held(client, store):
    post(client, store, woo_order(status="on-hold"))
    order = Order.objects.get()
    assert order.status == OrderStatus.ON_HOLD
    assert list(order.events.values_list("to_status", flat=True)) == [
        OrderStatus.PENDING,
        OrderStatus.ON_HOLD,
    ]
