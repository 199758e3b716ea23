"""Courier performance against a hand-worked example.

Four parcels of one courier's home delivery, all booked at 08:00 UTC:

    parcel  booked   promised  delivered        punctuality  hours  exception
    A       17 Nov   20 Nov    19 Nov 08:00     early         48    no
    B       17 Nov   20 Nov    20 Nov 08:00     on time       72    no
    C       17 Nov   20 Nov    22 Nov 08:00     delayed      120    yes
    D       20 Nov   21 Nov    21 Nov 08:00     on time       24    no

On time (early or on the day): 3 of 4 = 0.75. Hours sorted: 24, 48, 72, 120.
p50 = (48 + 72) / 2 = 60. p90: position 0.9 × 3 = 2.7, so 72 + 0.7 × (120 − 72) = 105.6.
"""

from datetime import date, datetime

import pytest
from django.urls import reverse

from shipments.models import Shipment, TrackingEvent
from shipments.performance import courier_performance
from tests.factories import OrderFactory
from tests.shipments.factories import CourierAccountFactory, ShipmentFactory

pytestmark = pytest.mark.django_db


def utc(day: int, hour: int = 8) -> datetime:
    return datetime.fromisoformat(f"2026-11-{day:02d}T{hour:02d}:00:00+00:00")


@pytest.fixture
def parcels(store):
    account = CourierAccountFactory(merchant=store.merchant, name="PostNord")
    made = {}
    for name, booked, promised, delivered in [
        ("A", 17, 20, 19),
        ("B", 17, 20, 20),
        ("C", 17, 20, 22),
        ("D", 20, 21, 21),
    ]:
        made[name] = ShipmentFactory(
            order=OrderFactory(store=store),
            account=account,
            created_at=utc(booked),
            promised_delivery=date(2026, 11, promised),
            delivered_at=utc(delivered),
            status="delivered",
        )
    TrackingEvent.objects.create(
        shipment=made["C"],
        status="exception",
        raw_code="EXCEPTION",
        occurred_at=utc(21),
        source="webhook",
    )
    # Not delivered, and delivered outside the period: not counted.
    ShipmentFactory(
        order=OrderFactory(store=store), account=account, created_at=utc(18)
    )
    ShipmentFactory(
        order=OrderFactory(store=store),
        account=account,
        created_at=utc(1),
        promised_delivery=date(2026, 11, 3),
        delivered_at=utc(3),
    )
    # Tracked only (not booked here): its clock started when we heard of it.
    ShipmentFactory(
        order=OrderFactory(store=store),
        account=account,
        kind=Shipment.Kind.TRACKED,
        created_at=utc(18),
        promised_delivery=date(2026, 11, 19),
        delivered_at=utc(19),
        status="delivered",
    )
    return made


def test_punctuality_per_shipment(parcels):
    assert {n: s.punctuality for n, s in parcels.items()} == {
        "A": "early",
        "B": "on_time",
        "C": "delayed",
        "D": "on_time",
    }
    assert [s.delivery_time_hours for s in parcels.values()] == [48, 72, 120, 24]
    assert Shipment(delivered_at=None).punctuality == ""


def test_per_courier_and_service(parcels, staff_user):
    rows = courier_performance(
        staff_user, since=date(2026, 11, 10), until=date(2026, 11, 30)
    )
    assert rows == [
        {
            "account": parcels["A"].account_id,
            "courier": "PostNord",
            "service_type": "home_delivery",
            "service_name": "Home delivery",
            "delivered": 4,
            "early": 1,
            "on_time": 2,
            "delayed": 1,
            "on_time_rate": 0.75,
            "p50_hours": 60.0,
            "p90_hours": 105.6,
            "exceptions": 1,
        }
    ]


def test_other_merchants_see_nothing(parcels, other_merchant_staff):
    assert (
        courier_performance(
            other_merchant_staff, since=date(2026, 11, 1), until=date(2026, 11, 30)
        )
        == []
    )


def test_api_and_page(parcels, staff_api, client, staff_user):
    response = staff_api.get(
        reverse("api-courier-performance"),
        {"since": "2026-11-10", "until": "2026-11-30"},
    )
    assert response.status_code == 200
    assert response.json()["couriers"][0]["on_time_rate"] == 0.75
    assert (
        staff_api.get(reverse("api-courier-performance"), {"since": "soon"}).status_code
        == 400
    )
    client.force_login(staff_user)
    page = client.get(
        reverse("shipments:performance"), {"since": "2026-11-10", "until": "2026-11-30"}
    )
    assert page.status_code == 200
    assert b"75%" in page.content
    assert b"105.6" in page.content


def test_the_page_falls_back_to_the_last_30_days_on_unreadable_dates(
    client, staff_user
):
    client.force_login(staff_user)
    page = client.get(reverse("shipments:performance"), {"since": "soon"})
    assert page.status_code == 200
    assert b"could not be read" in page.content
