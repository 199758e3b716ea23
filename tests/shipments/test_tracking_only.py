"""Every tracking number is tracked: numbers from webshops, people and the API get a
tracked-only shipment that webhooks and polling keep up to date, against the real
sandbox courier."""

import json
import uuid
from datetime import timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from orders.models import OrderEvent, Source
from orders.services import order_create, order_update
from orders.state_machine import OrderStatus
from orders.tracking import TrackingStatus as T
from sandbox_courier.notifier import sign
from shipments import polling
from shipments.models import PendingTrackingUpdate, Shipment
from shipments.tracking import pending_updates_purge
from tests.factories import OrderFactory
from tests.inbound import outcome
from tests.shipments.factories import (
    CourierAccountFactory,
    ShipmentFactory,
    smooth_number,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_celery")]


def postnord_number() -> str:
    return smooth_number("RR{:09d}SE", digits=9)


@pytest.fixture
def tracker(courier_account):
    """The merchant's catch-all tracker: a sandbox account that tracks any number."""
    courier_account.extra = {"track_any": True}
    courier_account.save()
    return courier_account


@pytest.fixture
def run_after_commit(django_capture_on_commit_callbacks):
    """Runs what a commit schedules (receivers, then the eager Celery tasks)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def webshop_order(store, number, courier="PostNord", **fields):
    return order_create(
        store=store,
        order_number=f"#{uuid.uuid4().hex[:6]}",
        actor_label="Shopify",
        source=Source.SHOPIFY,
        tracking_number=number,
        courier=courier,
        **fields,
    )


def post_sandbox_event(client, account, number, event, *, event_id=None):
    """A delivery as the sandbox's notifier sends it: same body, same signature."""
    body = json.dumps(
        {
            "id": event_id or f"{number}-{event['code']}",
            "tracking_number": number,
            "status": event["code"],
            "event": event,
            "estimated_delivery": None,
        }
    ).encode()
    return client.post(
        reverse("webhook-courier", args=["sandbox", account.webhook_key]),
        body,
        content_type="application/json",
        HTTP_X_SANDBOX_SIGNATURE=sign(account.api_key, body),
    )


def test_a_webshop_number_gets_a_link_and_a_tracked_shipment(
    store, tracker, run_after_commit, sandbox_adapter
):
    number = postnord_number()
    with run_after_commit():
        order = webshop_order(store, number, courier="PostNord")
    order.refresh_from_db()
    assert order.tracking_url == f"https://tracking.postnord.com/se/?id={number}"
    assert order.courier == "PostNord"
    shipment = order.shipments.get()
    assert (shipment.kind, shipment.account, shipment.tracking_number) == (
        Shipment.Kind.TRACKED,
        tracker,
        number,
    )
    assert shipment.service_code == ""
    assert shipment.next_poll_at <= timezone.now()
    # Registered with the courier: it knows the number now and plays its journey.
    assert sandbox_adapter.track(number).events[0].raw_code == "BOOKED"


def test_a_number_typed_in_by_staff_is_tracked_too(
    store, staff_user, tracker, run_after_commit, sandbox_courier
):
    order = OrderFactory(store=store, status=OrderStatus.CONFIRMED)
    number = smooth_number()
    with run_after_commit():
        order_update(order=order, actor=staff_user, tracking_number=number)
    order.refresh_from_db()
    assert order.courier == "Sandbox courier"
    assert order.tracking_url == f"{sandbox_courier}/track/{number}"
    assert order.shipments.get().kind == Shipment.Kind.TRACKED


def test_no_account_able_to_track_it_leaves_one_note_and_the_link(
    store, staff_user, run_after_commit
):
    CourierAccountFactory(merchant=store.merchant, courier="postnord", name="PostNord")
    order = OrderFactory(store=store)
    with run_after_commit():
        order_update(
            order=order, actor=staff_user, tracking_number="1Z999AA10123456784"
        )
    with run_after_commit():
        order_update(order=order, actor=staff_user, courier="UPS Express")
    order.refresh_from_db()
    assert not Shipment.objects.exists()
    assert order.tracking_url == "https://www.ups.com/track?tracknum=1Z999AA10123456784"
    notes = order.events.filter(kind=OrderEvent.Kind.NOTE)
    assert notes.count() == 1
    assert "no courier account of this merchant tracks UPS" in notes.get().note


def test_the_merchants_own_courier_account_is_preferred_to_the_catch_all(
    store, tracker, run_after_commit
):
    postnord = CourierAccountFactory(
        merchant=store.merchant, courier="postnord", name="PostNord"
    )
    with run_after_commit():
        order = webshop_order(store, postnord_number(), courier="")
    assert order.shipments.get().account == postnord


def test_the_same_number_twice_does_nothing_and_a_new_number_a_new_shipment(
    store, staff_user, tracker, run_after_commit
):
    first, second = postnord_number(), postnord_number()
    with run_after_commit():
        order = webshop_order(store, first)
    with run_after_commit():
        order_update(order=order, actor=staff_user, courier="PostNord Sverige")
    assert order.shipments.count() == 1
    with run_after_commit():
        order_update(order=order, actor=staff_user, tracking_number=second)
    numbers = dict(order.shipments.values_list("tracking_number", "next_poll_at"))
    assert set(numbers) == {first, second}
    assert numbers[first] is None  # the replaced parcel is no longer asked about
    assert numbers[second] is not None
    with run_after_commit():
        order_update(order=order, actor=staff_user, tracking_number="")
    assert not order.shipments.filter(next_poll_at__isnull=False).exists()


def test_a_tracked_parcel_delivers_the_order_through_the_couriers_webhooks(
    client, store, tracker, run_after_commit, sandbox_advance
):
    number = postnord_number()
    with run_after_commit():
        order = webshop_order(store, number, status=OrderStatus.PAYMENT_VERIFIED)
    journey = sandbox_advance(number, until="DELIVERED")
    for index, event in enumerate(journey["events"]):
        response = post_sandbox_event(
            client, tracker, number, event, event_id=f"{number}-{index}"
        )
        assert response.status_code == 200, response.content
        assert outcome(response) == {"status": "applied", "applied": 1, "kept": 0}
    order.refresh_from_db()
    assert (order.status, order.tracking_status) == (OrderStatus.DELIVERED, T.DELIVERED)
    moves = order.events.filter(kind=OrderEvent.Kind.STATUS_CHANGED)
    assert list(moves.values_list("to_status", flat=True)) == [
        OrderStatus.SHIPPED,
        OrderStatus.DELIVERED,
    ]


def test_a_tracked_parcel_delivers_the_order_through_polling(
    store, tracker, run_after_commit, sandbox_advance
):
    number = postnord_number()
    with run_after_commit():
        order = webshop_order(store, number)
    shipment = order.shipments.get()
    assert polling.shipments_claim_due() == [shipment.pk]
    sandbox_advance(number, until="IN_TRANSIT")
    assert polling.shipment_poll(shipment.pk) == "changed"
    order.refresh_from_db()
    assert order.status == OrderStatus.SHIPPED
    sandbox_advance(number, until="DELIVERED")
    assert polling.shipment_poll(shipment.pk) == "changed"
    order.refresh_from_db()
    shipment.refresh_from_db()
    assert order.status == OrderStatus.DELIVERED
    assert (shipment.status, shipment.next_poll_at) == (T.DELIVERED, None)


def test_news_of_an_unknown_number_is_kept_and_applied_when_it_appears(
    client, store, staff_user, tracker, run_after_commit
):
    number = postnord_number()
    picked_up = {
        "code": "PICKED_UP",
        "description": "Parcel picked up from sender",
        "location": "Solna, SE",
        "occurred_at": "2026-11-21T09:00:00+01:00",
    }
    response = post_sandbox_event(client, tracker, number, picked_up)
    assert outcome(response) == {"status": "applied", "applied": 0, "kept": 1}
    assert PendingTrackingUpdate.objects.filter(tracking_number=number).count() == 1
    order = OrderFactory(store=store, status=OrderStatus.CONFIRMED)
    with run_after_commit():
        order_update(order=order, actor=staff_user, tracking_number=number)
    order.refresh_from_db()
    assert (order.status, order.tracking_status) == (OrderStatus.SHIPPED, T.IN_TRANSIT)
    kept = order.shipments.get().events.get(raw_code="PICKED_UP")
    assert (kept.location, kept.source) == ("Solna, SE", "webhook")
    assert not PendingTrackingUpdate.objects.exists()


def test_old_news_of_unknown_numbers_is_purged(tracker):
    now = timezone.now()
    for days in (31, 29):
        PendingTrackingUpdate.objects.create(
            account=tracker,
            tracking_number=f"OLD{days}",
            update={"tracking_number": f"OLD{days}", "events": []},
            received_at=now - timedelta(days=days),
        )
    assert pending_updates_purge(now=now) == 1
    assert PendingTrackingUpdate.objects.get().tracking_number == "OLD29"


def test_backfill_tracks_the_orders_that_need_it_once(
    store, other_store, tracker, run_after_commit, capsys
):
    wanted = OrderFactory(
        store=store, status=OrderStatus.SHIPPED, tracking_number=postnord_number()
    )
    untrackable = OrderFactory(
        store=other_store,
        status=OrderStatus.SHIPPED,
        tracking_number="1Z999AA1012345678",
    )
    OrderFactory(store=store, status=OrderStatus.DELIVERED, tracking_number="RR1SE")
    OrderFactory(
        store=store, tracking_number=postnord_number(), deleted_at=timezone.now()
    )
    booked = ShipmentFactory(
        order=OrderFactory(store=store, status=OrderStatus.CONFIRMED),
        account=tracker,
    )
    booked.order.tracking_number = booked.tracking_number
    booked.order.save()

    call_command("tracking_backfill", "--dry-run")
    assert "2 order(s) with an untracked number: 1 would be tracked, 1" in (
        capsys.readouterr().out
    )
    assert Shipment.objects.count() == 1
    with run_after_commit():
        call_command("tracking_backfill", "--merchant", str(other_store.merchant_id))
    assert Shipment.objects.count() == 1
    with run_after_commit():
        call_command("tracking_backfill")
    assert "1 now tracked, 1 with no courier account" in capsys.readouterr().out
    assert wanted.shipments.get().kind == Shipment.Kind.TRACKED
    wanted.refresh_from_db()
    assert wanted.tracking_url.startswith("https://tracking.postnord.com/")
    call_command("tracking_backfill")
    assert Shipment.objects.count() == 2
    assert untrackable.events.filter(kind=OrderEvent.Kind.NOTE).count() == 1


def test_booking_still_books_once_and_is_not_tracked_twice(
    staff_api, store, tracker, run_after_commit
):
    address = {
        "name": "Eva Lind",
        "line1": "Storgatan 1",
        "postal_code": "11122",
        "city": "Stockholm",
        "country": "SE",
    }
    store.pickup_address = address
    store.save()
    order = OrderFactory(
        store=store, status=OrderStatus.PAYMENT_VERIFIED, delivery_address=address
    )
    payload = {"order": order.pk, "account": tracker.pk, "service_code": "SBX_HOME"}
    with run_after_commit():
        response = staff_api.post(reverse("api-shipment-book"), payload, format="json")
    assert response.status_code == 201, response.content
    shipment = Shipment.objects.get()
    assert shipment.kind == Shipment.Kind.BOOKED
    assert shipment.tracking_number == response.json()["tracking_number"]
    again = staff_api.post(reverse("api-shipment-book"), payload, format="json")
    assert again.status_code == 200
    assert Shipment.objects.count() == 1


def test_a_number_whose_task_was_lost_is_followed_by_the_sweep(
    store, tracker, sandbox_courier
):
    from shipments.tasks import shipments_track_missing
    from shipments.tracking import untracked_order_ids

    # Created without running what its commit schedules: the task never ran.
    order = webshop_order(store, postnord_number())
    followed = OrderFactory(store=store, tracking_number=smooth_number())
    ShipmentFactory(order=followed, tracking_number=followed.tracking_number)
    assert untracked_order_ids() == []  # the task gets its two minutes first

    later = timezone.now() + timedelta(minutes=3)
    with time_machine.travel(later):
        assert untracked_order_ids() == [order.pk]
        shipments_track_missing()
        assert untracked_order_ids() == []
    assert order.shipments.get().account == tracker
