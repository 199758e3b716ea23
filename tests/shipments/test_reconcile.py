"""A booking the courier did not answer is looked up by our idempotency key and
attached to the order or cancelled: no booking is orphaned, none is made twice."""

import time
from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from orders.models import OrderEvent
from orders.state_machine import OrderStatus
from shipments.couriers import base
from shipments.couriers.sandbox import SandboxCourier
from shipments.models import Shipment, UnconfirmedBooking
from shipments.reconcile import CHECKS_AT
from shipments.tasks import bookings_reconcile
from tests.factories import OrderFactory
from tests.shipments.factories import ADDRESS, CourierAccountFactory

pytestmark = pytest.mark.django_db
Outcome = UnconfirmedBooking.Outcome
LATE = 1.0  # the sandbox answers this late; we wait READ_TIMEOUT
READ_TIMEOUT = 0.3


@pytest.fixture
def account(store, courier_account, monkeypatch):
    store.pickup_address = {**ADDRESS, "name": "Warehouse"}
    store.save()
    monkeypatch.setattr(base, "DEFAULT_TIMEOUT", (1, READ_TIMEOUT))
    return courier_account


@pytest.fixture
def order(store):
    return OrderFactory(
        store=store, status=OrderStatus.PAYMENT_VERIFIED, delivery_address=ADDRESS
    )


@pytest.fixture
def late_booking(staff_api, order, account, sandbox_process, sandbox_api_key):
    """Book while the courier answers too late: it books all the same."""
    sandbox_process.fail_next(
        sandbox_api_key, status=0, delay=LATE, path="/v1/shipments"
    )
    response = staff_api.post(
        reverse("api-shipment-book"),
        {"order": order.pk, "account": account.pk, "service_code": "SBX_HOME"},
        format="json",
    )
    assert response.status_code == 502
    assert response.json()["error"]["code"] == "booking_unconfirmed"
    assert (
        "booking again with the same courier is safe"
        in response.json()["error"]["message"]
    )
    assert not Shipment.objects.filter(order=order).exists()
    return courier_booking(account, order)


def courier_booking(account, order, *, wait=10.0):
    """The booking the courier made under the order's key, once it has made it."""
    courier = SandboxCourier(account.settings())
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        if found := courier.find_booking(f"performile-order-{order.pk}"):
            return found
        time.sleep(0.05)
    raise AssertionError("the courier never made the booking")


def reconcile_after(delay: timedelta):
    with time_machine.travel(timezone.now() + delay):
        bookings_reconcile()


def test_a_late_booking_is_attached_to_the_order(order, late_booking):
    row = UnconfirmedBooking.objects.get(order=order)
    bookings_reconcile()  # not due yet: the courier gets time to answer
    row.refresh_from_db()
    assert row.outcome == Outcome.PENDING

    reconcile_after(CHECKS_AT[0])

    row.refresh_from_db()
    assert row.outcome == Outcome.ATTACHED
    shipment = Shipment.objects.get(order=order)
    assert shipment.tracking_number == late_booking.tracking_number
    assert shipment.label.read().startswith(b"%PDF")
    order.refresh_from_db()
    assert (order.tracking_number, order.status) == (
        late_booking.tracking_number,
        OrderStatus.CONFIRMED,
    )
    reconcile_after(CHECKS_AT[-1])  # settled: nothing more happens
    assert Shipment.objects.filter(order=order).count() == 1


def test_booking_again_with_the_same_courier_gets_the_late_booking(
    staff_api, order, account, late_booking
):
    again = staff_api.post(
        reverse("api-shipment-book"),
        {"order": order.pk, "account": account.pk, "service_code": "SBX_HOME"},
        format="json",
    )
    assert again.status_code == 201
    assert again.json()["tracking_number"] == late_booking.tracking_number

    reconcile_after(CHECKS_AT[0])

    assert UnconfirmedBooking.objects.get(order=order).outcome == Outcome.ATTACHED
    assert Shipment.objects.filter(order=order).count() == 1


def test_a_late_booking_of_an_order_booked_elsewhere_since_is_cancelled(
    staff_api, store, order, account, late_booking, sandbox_courier
):
    other = CourierAccountFactory(
        merchant=store.merchant,
        name="Other Post",
        base_url=sandbox_courier,
        api_key="test-other-account",
    )
    booked = staff_api.post(
        reverse("api-shipment-book"),
        {"order": order.pk, "account": other.pk, "service_code": "SBX_HOME"},
        format="json",
    )
    assert booked.status_code == 201

    reconcile_after(CHECKS_AT[0])

    row = UnconfirmedBooking.objects.get(order=order)
    assert row.outcome == Outcome.CANCELLED
    assert late_booking.tracking_number in row.note
    # Gone at the courier; the order keeps the booking it has.
    courier = SandboxCourier(account.settings())
    assert courier.find_booking(f"performile-order-{order.pk}") is None
    order.refresh_from_db()
    assert order.tracking_number == booked.json()["tracking_number"]
    assert OrderEvent.objects.filter(
        order=order, note__contains=f"{late_booking.tracking_number} after not"
    ).exists()


def test_a_booking_the_courier_never_made_ends_as_not_booked(
    staff_api, order, account, sandbox_process, sandbox_api_key
):
    sandbox_process.fail_next(sandbox_api_key, status=503, path="/v1/shipments")
    response = staff_api.post(
        reverse("api-shipment-book"),
        {"order": order.pk, "account": account.pk, "service_code": "SBX_HOME"},
        format="json",
    )
    assert response.json()["error"]["code"] == "booking_unconfirmed"

    for check in CHECKS_AT[:-1]:
        reconcile_after(check)
        assert UnconfirmedBooking.objects.get(order=order).outcome == Outcome.PENDING
    reconcile_after(CHECKS_AT[-1])

    assert UnconfirmedBooking.objects.get(order=order).outcome == Outcome.NOT_BOOKED
    assert not Shipment.objects.filter(order=order).exists()


def test_a_courier_without_a_lookup_leaves_a_note_for_a_person(
    order, account, late_booking, monkeypatch
):
    def no_lookup(self, key):
        raise NotImplementedError

    monkeypatch.setattr(SandboxCourier, "find_booking", no_lookup)

    reconcile_after(CHECKS_AT[0])

    row = UnconfirmedBooking.objects.get(order=order)
    assert row.outcome == Outcome.UNRESOLVED
    assert order.order_number in row.note
    assert OrderEvent.objects.filter(order=order, note=row.note).exists()
    assert not Shipment.objects.filter(order=order).exists()


def test_a_refused_booking_is_not_reconciled(staff_api, order, account):
    response = staff_api.post(
        reverse("api-shipment-book"),
        {"order": order.pk, "account": account.pk, "service_code": "NO_SUCH_SERVICE"},
        format="json",
    )
    assert response.status_code == 400
    assert not UnconfirmedBooking.objects.exists()
