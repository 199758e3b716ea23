"""Booking through the API against the real sandbox courier, and what follows:
labels, the courier's webhook and polling."""

import hashlib
import hmac
import json
import re
import threading

import pytest
from django.db import connection
from django.urls import reverse

from orders.models import Order, OrderEvent
from orders.state_machine import OrderStatus
from orders.tracking import TrackingStatus as T
from shipments import polling
from shipments.models import Shipment, UnconfirmedBooking
from tests.factories import OrderFactory
from tests.inbound import outcome
from tests.shipments.factories import ADDRESS as SWEDISH_ADDRESS

pytestmark = pytest.mark.django_db
BOOK = reverse("api-shipment-book")
ADDRESS = {**SWEDISH_ADDRESS, "phone": "+46701234567"}


@pytest.fixture
def account(store, courier_account):
    store.pickup_address = {
        **ADDRESS,
        "name": "Nordic Goods warehouse",
        "city": "Solna",
    }
    store.save()
    return courier_account


@pytest.fixture
def order(store):
    return OrderFactory(
        store=store,
        order_number="ORD-100",
        status=OrderStatus.PAYMENT_VERIFIED,
        delivery_address=ADDRESS,
        package={
            "weight_kg": "1.5",
            "length_cm": "30",
            "width_cm": "20",
            "height_cm": "10",
        },
    )


def book(client, order, account, **extra):
    payload = {
        "order": order.pk,
        "account": account.pk,
        "service_code": "SBX_HOME",
        **extra,
    }
    return client.post(BOOK, payload, format="json")


def test_booking_gives_the_order_tracking_a_label_and_confirms_it(
    staff_api, order, account, staff_user
):
    response = book(staff_api, order, account)
    assert response.status_code == 201, response.content
    body = response.json()
    shipment = Shipment.objects.get()
    assert body["tracking_number"] == shipment.tracking_number
    assert body["label_url"] == f"/api/shipments/{shipment.pk}/label"
    assert shipment.label.read().startswith(b"%PDF")
    assert shipment.price is not None
    assert shipment.next_poll_at is not None
    order.refresh_from_db()
    assert order.tracking_number == shipment.tracking_number
    assert order.courier == "Sandbox Post"
    assert order.tracking_url.endswith(f"/track/{shipment.tracking_number}")
    assert order.tracking_status == T.INFO_RECEIVED
    assert order.estimated_delivery == shipment.estimated_delivery is not None
    assert order.status == OrderStatus.CONFIRMED
    assert list(order.events.values_list("kind", "actor")) == [
        (OrderEvent.Kind.TRACKING, staff_user.pk),
        (OrderEvent.Kind.STATUS_CHANGED, staff_user.pk),
    ]


def test_booking_again_returns_the_first_booking(staff_api, order, account):
    first = book(staff_api, order, account).json()
    again = book(staff_api, order, account)
    assert again.status_code == 200
    assert again.json()["tracking_number"] == first["tracking_number"]
    assert Shipment.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_double_click_books_once(order, account, staff_user):
    from rest_framework.test import APIClient

    barrier, answers = threading.Barrier(2), []

    def click():
        client = APIClient()
        client.force_authenticate(staff_user)
        barrier.wait()
        try:
            answers.append(book(client, order, account).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=click) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(answers) == [200, 201]
    assert Shipment.objects.count() == 1


def test_a_courier_refusal_is_400_and_books_nothing(staff_api, order, account):
    response = book(staff_api, order, account, service_code="NO_SUCH_SERVICE")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "booking_failed"
    assert not Shipment.objects.exists()
    order.refresh_from_db()
    assert (order.status, order.tracking_number) == (OrderStatus.PAYMENT_VERIFIED, "")


def test_a_courier_that_is_down_is_502_and_books_nothing(
    staff_api, order, account, sandbox_process, sandbox_api_key
):
    sandbox_process.fail_next(sandbox_api_key, status=503, path="/v1/shipments")
    response = book(staff_api, order, account)
    assert response.status_code == 502
    error = response.json()["error"]
    assert error["code"] == "booking_unconfirmed"
    assert error["message"].startswith("Sandbox courier had an error (503).")
    assert not Shipment.objects.exists()
    # A 5xx may come after the courier booked: the reconciliation will ask.
    assert UnconfirmedBooking.objects.get(order=order).outcome == ""


def test_an_order_with_tracking_cannot_be_booked(staff_api, order, account):
    Order.objects.filter(pk=order.pk).update(tracking_number="370123456789")
    response = book(staff_api, order, account)
    assert response.status_code == 400
    assert "cannot be booked" in response.json()["error"]["message"]


def test_an_incomplete_address_is_400_naming_it(staff_api, order, account):
    Order.objects.filter(pk=order.pk).update(delivery_address={"city": "Oslo"})
    response = book(staff_api, order, account)
    assert response.status_code == 400
    assert "recipient" in response.json()["error"]["fields"]


def test_other_merchants_cannot_book_or_fetch_labels(
    api_client, order, account, other_merchant_staff, other_store
):
    api_client.force_authenticate(other_merchant_staff)
    assert book(api_client, order, account).status_code == 404
    theirs = OrderFactory(store=other_store, delivery_address=ADDRESS)
    response = book(api_client, theirs, account)  # our account, their order
    assert response.status_code == 400
    assert not Shipment.objects.exists()


def test_label_download(staff_api, api_client, order, account, other_merchant_staff):
    shipment_id = book(staff_api, order, account).json()["id"]
    url = reverse("api-shipment-label", args=[shipment_id])
    response = staff_api.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    printed = staff_api.get(url, {"print": "1"})
    assert "inline" in printed["Content-Disposition"]
    # The browser's PDF viewer frames it: no frame-ancestors 'none' (nor any CSP).
    assert "Content-Security-Policy" not in printed
    api_client.force_authenticate(other_merchant_staff)
    assert api_client.get(url).status_code == 404


def test_services_for_the_booking_modal(staff_api, order, account):
    response = staff_api.get(reverse("api-courier-services"), {"order": order.pk})
    assert response.status_code == 200
    courier = response.json()["couriers"][0]
    assert courier["courier"] == "Sandbox Post"
    assert {s["service_type"] for s in courier["services"]} >= {
        "home_delivery",
        "parcel_shop",
    }


def signed(account, payload):
    body = json.dumps(payload).encode()
    digest = hmac.new(account.api_key.encode(), body, hashlib.sha256).hexdigest()
    return body, {"HTTP_X_SANDBOX_SIGNATURE": f"sha256={digest}"}


def test_courier_webhook_moves_the_parcel_and_the_order(
    client, staff_api, order, account
):
    number = book(staff_api, order, account).json()["tracking_number"]
    payload = {
        "id": "evt-1",
        "tracking_number": number,
        "event": {
            "code": "PICKED_UP",
            "description": "Picked up",
            "location": "Solna",
            "occurred_at": "2026-11-21T09:00:00+01:00",
        },
    }
    body, headers = signed(account, payload)
    url = reverse("webhook-courier", args=["sandbox", account.webhook_key])
    response = client.post(url, body, content_type="application/json", **headers)
    assert response.status_code == 200, response.content
    assert outcome(response) == {"status": "applied", "applied": 1, "kept": 0}
    assert (
        client.post(url, body, content_type="application/json", **headers).json()[
            "status"
        ]
        == "duplicate"
    )
    order.refresh_from_db()
    assert (order.status, order.tracking_status) == (OrderStatus.SHIPPED, T.IN_TRANSIT)
    tampered = body.replace(b"Solna", b"Malmo")
    assert (
        client.post(
            url, tampered, content_type="application/json", **headers
        ).status_code
        == 401
    )


def test_polling_picks_up_what_the_courier_knows(
    staff_api, order, account, sandbox_advance
):
    number = book(staff_api, order, account).json()["tracking_number"]
    # Every sandbox journey starts booked, picked up, in transit; later steps
    # depend on the number (a damaged parcel never goes out for delivery).
    sandbox_advance(number, until="IN_TRANSIT")
    shipment = Shipment.objects.get()
    assert polling.shipment_poll(shipment.pk) == "changed"
    shipment.refresh_from_db()
    assert shipment.status == T.IN_TRANSIT
    assert shipment.events.filter(source="poll").count() >= 3
    order.refresh_from_db()
    assert order.status == OrderStatus.SHIPPED
    assert polling.shipment_poll(shipment.pk) == "unchanged"


def test_polling_backs_off_when_the_courier_is_down(
    staff_api, order, account, sandbox_process, sandbox_api_key
):
    book(staff_api, order, account)
    shipment = Shipment.objects.get()
    sandbox_process.fail_next(sandbox_api_key, status=503, path="/v1/tracking")
    assert polling.shipment_poll(shipment.pk) == "unavailable"
    shipment.refresh_from_db()
    assert shipment.poll_failures == 1
    sandbox_process.fail_next(
        sandbox_api_key, status=429, retry_after=3600, path="/v1/tracking"
    )
    assert polling.shipment_poll(shipment.pk) == "429"
    shipment.refresh_from_db()
    assert shipment.poll_failures == 2
    from django.utils import timezone

    assert (shipment.next_poll_at - timezone.now()).total_seconds() > 3500


def test_the_order_drawer_panel_shows_label_events_and_claims(
    client, staff_api, staff_user, order, account, other_merchant_staff, sandbox_advance
):
    url = reverse("shipments:order-panel", args=[order.pk])
    client.force_login(staff_user)
    assert client.get(url).status_code == 204  # nothing booked yet
    number = book(staff_api, order, account).json()["tracking_number"]
    sandbox_advance(number, until="IN_TRANSIT")
    polling.shipment_poll(Shipment.objects.get().pk)
    panel = client.get(url)
    assert panel.status_code == 200
    content = panel.content.decode()
    assert number in content
    assert "Download label" in content
    assert "In transit" in content
    client.force_login(other_merchant_staff)
    assert client.get(url).status_code == 404


@pytest.mark.parametrize(
    ("shipping_method", "chosen"),
    [
        ("Pickup at a parcel shop (ombud)", "SBX_SHOP"),
        ("Parcel locker", "SBX_LOCKER"),
        ("Home delivery, evening", "SBX_HOME"),
    ],
)
def test_the_shops_shipping_method_chooses_the_service(
    client, staff_user, order, account, shipping_method, chosen
):
    """The booking modal starts on the service closest to what the customer chose
    at the shop's checkout."""
    order.shipping_method = shipping_method
    order.save(update_fields=["shipping_method"])
    client.force_login(staff_user)
    html = client.get(reverse("shipments:book", args=[order.pk])).content.decode()
    checked = re.findall(r'value="[^"]*:([A-Z_]+):[a-z_]+" required checked', html)
    assert checked == [chosen]
    assert shipping_method in html
