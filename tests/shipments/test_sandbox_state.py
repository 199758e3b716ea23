"""Parcels the sandbox courier never saw are added to its state file before it starts
(demo.sandbox), so that polling finds them and their journeys go on."""

import json
import time
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from demo.sandbox import sandbox_parcels_sync
from orders.state_machine import OPEN, OrderStatus
from orders.tracking import TrackingStatus
from sandbox_courier import harness, persistence
from shipments.couriers.base import AccountSettings
from shipments.couriers.sandbox import SandboxCourier
from shipments.models import CourierAccount, Shipment
from shipments.polling import FINAL, shipment_poll

MOVING = (TrackingStatus.INFO_RECEIVED, TrackingStatus.IN_TRANSIT)


def _parcel(number: str, moves: list[float], **extra) -> dict:
    return {
        "api_key": "demo-key",
        "tracking_number": number,
        "recipient": {"city": "Malmö", "country": "SE"},
        "moves": moves,
        **extra,
    }


def test_a_travelled_parcel_carries_on_from_its_last_event(tmp_path):
    """Added with three events in the past, the parcel answers with those three
    (at their times), then moves on to its delivery."""
    state = tmp_path / "sandbox.json"
    now = time.time()
    moves = [now - 7200, now - 3600, now - 600]
    assert persistence.add_travelled(state, [_parcel("UA123456785SE", moves)]) == 1
    with harness.start(speed=0, state=state) as sandbox:
        courier = SandboxCourier(
            AccountSettings(base_url=sandbox.base_url, api_key="demo-key")
        )
        update = courier.track("UA123456785SE")
        assert [e.occurred_at.timestamp() for e in update.events] == pytest.approx(
            moves, abs=0.001
        )
        assert [e.raw_code for e in update.events] == [
            "BOOKED",
            "PICKED_UP",
            "IN_TRANSIT",
        ]
        sandbox.advance("demo-key", "UA123456785SE", until="DELIVERED")
        assert courier.track("UA123456785SE").events[-1].raw_code == "DELIVERED"


def test_numbers_the_state_file_holds_are_left_as_they_are(tmp_path):
    state = tmp_path / "sandbox.json"
    now = time.time()
    persistence.add_travelled(state, [_parcel("SBX1", [now - 60])])
    again = [_parcel("SBX1", [now - 600, now - 300]), _parcel("SBX2", [now - 60])]
    assert persistence.add_travelled(state, again) == 1
    rows = {
        row["tracking_number"]: row
        for row in json.loads(state.read_text())["shipments"]
    }
    assert len(rows["SBX1"]["moves"]) == 1
    assert set(rows) == {"SBX1", "SBX2"}


def test_an_unreadable_state_file_is_set_aside(tmp_path):
    """As the sandbox does at start: the file is kept beside, the parcels added."""
    state = tmp_path / "sandbox.json"
    state.write_text("{not json")
    assert persistence.add_travelled(state, [_parcel("SBX1", [time.time()])]) == 1
    assert (tmp_path / "sandbox.json.unreadable").read_text() == "{not json"
    assert len(json.loads(state.read_text())["shipments"]) == 1


@pytest.fixture
def demo(db):
    """The demo as `make run` loads it, with its sandbox parcels synced to a state
    file (a smaller demo: 60 orders)."""
    call_command("demo_data", orders=60, stdout=StringIO())
    call_command("demo", stdout=StringIO())


def _open_parcels():
    return Shipment.objects.filter(account__courier="sandbox").exclude(status__in=FINAL)


@pytest.mark.django_db
def test_every_open_demo_parcel_is_polled_without_a_404_and_goes_on(demo, tmp_path):
    """Synced to the state file, every open demo parcel is found by polling: the
    portal's parcels with the same journey they show, the tracked ones with their
    journey so far (in transit, as their orders were told); moved on, each is
    delivered and so is its order."""
    state = tmp_path / "sandbox.json"
    parcels = list(_open_parcels().select_related("order"))
    assert len(parcels) >= 4
    assert sandbox_parcels_sync(state=state) == len(parcels)
    assert sandbox_parcels_sync(state=state) == 0
    with harness.start(speed=0, state=state) as sandbox:
        CourierAccount.objects.filter(courier="sandbox").update(
            base_url=sandbox.base_url
        )
        for parcel in parcels:
            known = parcel.events.count()
            outcome = shipment_poll(parcel.pk)
            assert outcome in ("changed", "unchanged"), (
                parcel.tracking_number,
                outcome,
            )
            parcel.refresh_from_db()
            if known:  # the portal's: the sandbox's journey is the one we hold
                assert (outcome, parcel.events.count()) == ("unchanged", known)
            assert parcel.status == TrackingStatus.IN_TRANSIT
            assert parcel.order.status in OPEN
        for api_key in {parcel.account.api_key for parcel in parcels}:
            sandbox.advance(api_key, all=True, until="DELIVERED")
        for parcel in parcels:
            shipment_poll(parcel.pk)
            parcel.refresh_from_db()
            parcel.order.refresh_from_db()
            if parcel.status == TrackingStatus.DELIVERED:
                assert parcel.order.status == OrderStatus.DELIVERED
            else:  # a journey that ends in a return or damage
                assert parcel.status in (
                    TrackingStatus.RETURNED,
                    TrackingStatus.EXCEPTION,
                )
        assert _open_parcels().filter(status__in=MOVING).count() == 0


@pytest.mark.django_db
def test_a_parcel_of_a_lost_state_file_is_added_as_far_as_its_status_says(
    store, tmp_path
):
    """A tracked parcel in transit with no events of ours: added with the sandbox's
    journey up to the middle of its transit, spread over the time since it was
    sent."""
    from tests.factories import OrderFactory
    from tests.shipments.factories import CourierAccountFactory

    account = CourierAccountFactory(merchant=store.merchant, courier="sandbox")
    sent = timezone.now() - timedelta(hours=30)
    order = OrderFactory(
        store=store, status=OrderStatus.SHIPPED, tracking_number="UA9SE"
    )
    Shipment.objects.create(
        order=order,
        merchant_id=store.merchant_id,
        account=account,
        kind=Shipment.Kind.TRACKED,
        tracking_number="UA9SE",
        status=TrackingStatus.IN_TRANSIT,
        created_at=sent,
        updated_at=sent,
    )
    state = tmp_path / "sandbox.json"
    assert sandbox_parcels_sync(state=state) == 1
    (row,) = json.loads(state.read_text())["shipments"]
    assert row["account"] == account.api_key
    assert row["notify_url"].endswith(
        f"/webhooks/couriers/sandbox/{account.webhook_key}"
    )
    assert len(row["moves"]) == 4  # booked, picked up, at and leaving the terminal
    assert row["moves"][0] == pytest.approx(sent.timestamp(), abs=0.001)
    assert row["moves"] == sorted(row["moves"])
    assert row["moves"][-1] < timezone.now().timestamp()
