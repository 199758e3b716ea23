"""Tracking updates: stored once, and the order follows its parcel."""

from datetime import date, datetime, timedelta

import pytest
from django.utils import timezone

from orders.models import OrderEvent
from orders.state_machine import OrderStatus
from orders.tracking import TrackingStatus as T
from shipments.couriers.base import TrackingEvent, TrackingUpdate
from shipments.services import POLL_INTERVALS, shipment_apply_update
from tests.factories import OrderFactory
from tests.shipments.factories import ShipmentFactory

pytestmark = pytest.mark.django_db


def at(hours: float) -> datetime:
    return datetime.fromisoformat("2026-11-20T08:00:00+00:00") + timedelta(hours=hours)


def event(status, code, hours, description="", location=""):
    return TrackingEvent(
        status=status,
        raw_code=code,
        occurred_at=at(hours),
        description=description,
        location=location,
    )


@pytest.fixture
def shipment(store):
    order = OrderFactory(
        store=store, status=OrderStatus.CONFIRMED, tracking_number="SBX1"
    )
    return ShipmentFactory(order=order, tracking_number="SBX1")


def apply(shipment, *events, eta=None, source="webhook"):
    update = TrackingUpdate(
        tracking_number=shipment.tracking_number, events=events, estimated_delivery=eta
    )
    return shipment_apply_update(shipment=shipment, update=update, source=source)


def test_in_transit_ships_the_order(shipment):
    changed = apply(
        shipment,
        event(T.IN_TRANSIT, "PICKED_UP", 1, "Picked up", "Stockholm"),
        eta=date(2026, 11, 23),
    )
    assert changed is True
    shipment.refresh_from_db()
    order = shipment.order
    order.refresh_from_db()
    assert (shipment.status, shipment.raw_status) == (T.IN_TRANSIT, "PICKED_UP")
    assert order.status == OrderStatus.SHIPPED
    assert order.tracking_status == T.IN_TRANSIT
    assert order.estimated_delivery == date(2026, 11, 23)
    assert shipment.promised_delivery == date(2026, 11, 23)
    kinds = list(order.events.values_list("kind", "to_status", "actor_label"))
    assert kinds == [
        (OrderEvent.Kind.TRACKING, "", "Sandbox Post"),
        (OrderEvent.Kind.STATUS_CHANGED, OrderStatus.SHIPPED, "Sandbox Post"),
    ]


def test_the_same_event_from_webhook_and_poll_is_one_row(shipment):
    picked_up = event(T.IN_TRANSIT, "PICKED_UP", 1)
    apply(shipment, picked_up, source="webhook")
    changed = apply(shipment, picked_up, source="poll")
    assert changed is False
    assert shipment.events.count() == 1
    assert shipment.events.get().source == "webhook"


def test_delivered_moves_a_confirmed_order_through_shipped(shipment):
    apply(shipment, event(T.DELIVERED, "DELIVERED", 30))
    order = shipment.order
    order.refresh_from_db()
    assert order.status == OrderStatus.DELIVERED
    assert list(
        order.events.filter(kind="status_changed").values_list("to_status", flat=True)
    ) == [
        OrderStatus.SHIPPED,
        OrderStatus.DELIVERED,
    ]
    shipment.refresh_from_db()
    assert shipment.delivered_at == at(30)
    assert shipment.next_poll_at is None


def test_exception_needs_action_without_changing_the_order_status(shipment):
    apply(
        shipment,
        event(T.IN_TRANSIT, "PICKED_UP", 1),
        event(T.EXCEPTION, "EXCEPTION", 5, "Parcel damaged"),
    )
    order = shipment.order
    order.refresh_from_db()
    assert order.status == OrderStatus.SHIPPED
    assert order.tracking_status == T.EXCEPTION
    assert order.needs_action
    assert order.badge == ("Exception", "red")


def test_events_arriving_out_of_order_keep_the_latest_status(shipment):
    apply(shipment, event(T.OUT_FOR_DELIVERY, "OUT_FOR_DELIVERY", 20))
    apply(shipment, event(T.IN_TRANSIT, "IN_TRANSIT", 10))
    shipment.refresh_from_db()
    assert shipment.status == T.OUT_FOR_DELIVERY
    assert shipment.events.count() == 2


@pytest.mark.parametrize(
    ("status", "interval"),
    [
        (T.OUT_FOR_DELIVERY, timedelta(minutes=15)),
        (T.IN_TRANSIT, timedelta(hours=1)),
        (T.INFO_RECEIVED, timedelta(hours=6)),
        (T.DELIVERED, None),
    ],
)
def test_next_poll_follows_the_status(shipment, status, interval):
    before = timezone.now()
    apply(shipment, event(status, status.upper(), 1))
    shipment.refresh_from_db()
    assert POLL_INTERVALS[status] == interval
    if interval is None:
        assert shipment.next_poll_at is None
    else:
        assert before + interval <= shipment.next_poll_at <= timezone.now() + interval


def test_a_poll_with_no_news_only_moves_the_schedule(
    shipment, django_assert_max_num_queries
):
    picked_up = event(T.IN_TRANSIT, "PICKED_UP", 1)
    apply(shipment, picked_up)
    order_events = shipment.order.events.count()
    # lock, known events, schedule update (+ the savepoint pair around them)
    with django_assert_max_num_queries(5):
        assert apply(shipment, picked_up, source="poll") is False
    assert shipment.order.events.count() == order_events
    shipment.refresh_from_db()
    assert shipment.next_poll_at is not None


def test_booking_defaults_come_from_the_store_and_the_order(store):
    from decimal import Decimal

    from shipments.services import shipment_defaults

    store.pickup_address = {"name": "Warehouse", "city": "Solna"}
    order = OrderFactory(
        store=store,
        delivery_address={"name": "Eva", "city": "Oslo"},
        package={
            "weight_kg": "2.5",
            "length_cm": "30",
            "width_cm": "lots",
            "parcels": 2,
        },
    )
    defaults = shipment_defaults(order)
    assert defaults["sender"] == {"name": "Warehouse", "city": "Solna"}
    assert defaults["recipient"] == {"name": "Eva", "city": "Oslo"}
    parcel = {
        "weight_kg": Decimal("2.5"),
        "length_cm": Decimal("30"),
        "width_cm": Decimal("0"),  # a webshop's unreadable size
        "height_cm": Decimal("0"),
    }
    assert defaults["parcels"] == [parcel, parcel]
    assert shipment_defaults(OrderFactory(store=store))["parcels"] == [
        {**dict.fromkeys(parcel, Decimal("0")), "weight_kg": Decimal("1")}
    ]
