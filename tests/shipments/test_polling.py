import threading
import time
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.utils import timezone

from orders.tracking import TrackingStatus as T
from shipments import polling
from shipments.models import Shipment
from tests.factories import OrderFactory
from tests.faults import SilentServer
from tests.shipments.factories import (
    CourierAccountFactory,
    ShipmentFactory,
    smooth_number,
)

pytestmark = pytest.mark.django_db


def due_shipments(store, count, **fields):
    account = CourierAccountFactory(merchant=store.merchant)
    past = timezone.now() - timedelta(minutes=1)
    return [
        ShipmentFactory(
            order=OrderFactory(store=store),
            account=account,
            next_poll_at=past,
            **fields,
        )
        for _ in range(count)
    ]


def test_claim_takes_due_shipments_oldest_first_and_leases_them(store):
    shipments = due_shipments(store, 3)
    Shipment.objects.filter(pk=shipments[2].pk).update(
        next_poll_at=timezone.now() - timedelta(hours=1)
    )
    later = ShipmentFactory(
        order=OrderFactory(store=store),
        account=shipments[0].account,
        next_poll_at=timezone.now() + timedelta(hours=1),
    )
    assert polling.shipments_claim_due(batch=1) == [shipments[2].pk]  # oldest
    ids = polling.shipments_claim_due(batch=10)
    assert set(ids) == {s.pk for s in shipments[:2]}
    assert later.pk not in ids
    assert polling.shipments_claim_due(batch=10) == []  # leased
    leased = Shipment.objects.get(pk=shipments[2].pk).next_poll_at
    assert leased > timezone.now() + polling.LEASE - timedelta(seconds=5)


@pytest.mark.django_db(transaction=True)
def test_two_workers_never_claim_the_same_shipment(store):
    due_shipments(store, 60)
    claimed, barrier = [], threading.Barrier(3)

    def worker():
        barrier.wait()
        try:
            while ids := polling.shipments_claim_due(batch=7):
                claimed.append(ids)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    flat = [pk for batch in claimed for pk in batch]
    assert len(flat) == len(set(flat)) == 60


@pytest.mark.parametrize(
    ("failures", "wait"),
    [
        (1, timedelta(minutes=5)),
        (2, timedelta(minutes=10)),
        (3, timedelta(minutes=20)),
        (10, timedelta(hours=6)),
    ],
)
def test_backoff_doubles_up_to_six_hours(failures, wait):
    assert polling.poll_backoff(failures) == wait


def test_quiet_parcels_are_flagged_stuck_but_not_delivered_ones(store, settings):
    settings.SHIPMENT_STUCK_AFTER_HOURS = 72
    old = timezone.now() - timedelta(hours=80)
    quiet, delivered, recent = due_shipments(store, 3)
    Shipment.objects.filter(pk=quiet.pk).update(last_event_at=old, status=T.IN_TRANSIT)
    Shipment.objects.filter(pk=delivered.pk).update(
        last_event_at=old, status=T.DELIVERED
    )
    Shipment.objects.filter(pk=recent.pk).update(
        last_event_at=timezone.now(), status=T.IN_TRANSIT
    )
    assert polling.shipments_flag_stuck() == 1
    assert list(Shipment.objects.filter(stuck=True).values_list("pk", flat=True)) == [
        quiet.pk
    ]


def test_rate_limit_is_shared_per_account_and_second():
    with time_machine.travel(timezone.now(), tick=False) as clock:
        taken = [polling.rate_limit_take(999_001, per_second=3) for _ in range(5)]
        assert taken == [True, True, True, False, False]
        assert polling.rate_limit_take(999_002, per_second=3) is True
        clock.shift(1)
        assert polling.rate_limit_take(999_001, per_second=3) is True


def test_a_rate_below_one_a_second_counts_over_a_longer_window():
    """DHL allows one call in five seconds."""
    with time_machine.travel(timezone.now(), tick=False) as clock:
        assert polling.rate_limit_take(999_003, per_second=0.2) is True
        assert polling.rate_limit_take(999_003, per_second=0.2) is False
        clock.shift(5)
        assert polling.rate_limit_take(999_003, per_second=0.2) is True


def test_a_claim_is_one_statement(store, django_assert_num_queries):
    due_shipments(store, 3)
    with django_assert_num_queries(1):
        assert len(polling.shipments_claim_due(batch=10)) == 3


@pytest.fixture
def parcel_with_news(store, courier_account, sandbox_adapter, sandbox_advance):
    """parcel_with_news(): a tracked shipment the sandbox has one new scan of."""

    def make() -> Shipment:
        number = smooth_number()
        shipment = ShipmentFactory(
            order=OrderFactory(store=store, tracking_number=number),
            account=courier_account,
            kind="tracked",
            status=T.PENDING,
            tracking_number=number,
        )
        sandbox_adapter.register_tracking(number)
        sandbox_advance(number, steps=1)
        return shipment

    return make


def test_a_poll_without_news_costs_three_statements(
    parcel_with_news, django_assert_num_queries
):
    """The shipment, its known events, the next poll's time: no transaction, no
    lock, nothing else."""
    shipment = parcel_with_news()
    assert polling.shipment_poll(shipment.pk) == "changed"
    before = Shipment.objects.get(pk=shipment.pk)
    with django_assert_num_queries(3):
        assert polling.shipment_poll(shipment.pk) == "unchanged"
    after = Shipment.objects.get(pk=shipment.pk)
    assert after.next_poll_at > before.next_poll_at
    assert after.status == before.status


def test_a_batch_applies_its_answers_together_and_a_bad_one_alone(
    parcel_with_news, monkeypatch
):
    shipments = [parcel_with_news() for _ in range(3)]
    apply = polling._apply_polled

    def broken_for_the_second(shipment, courier, update):
        if shipment.pk == shipments[1].pk:
            raise ValueError("a mapping bug")
        return apply(shipment, courier, update)

    monkeypatch.setattr(polling, "_apply_polled", broken_for_the_second)

    outcomes = polling.shipments_poll([s.pk for s in shipments])

    assert outcomes == {"changed": 2, "error": 1}
    statuses = [Shipment.objects.get(pk=s.pk).status for s in shipments]
    assert statuses[1] == T.PENDING
    assert statuses[0] != T.PENDING
    assert statuses[2] != T.PENDING


@pytest.fixture
def hung_courier(monkeypatch):
    """A courier that accepts connections and never answers, with read timeouts
    short enough for a test."""
    from shipments.couriers import base

    server = SilentServer()
    monkeypatch.setattr(base, "DEFAULT_TIMEOUT", (0.2, 0.2))
    yield server.url
    server.close()


def test_a_hung_courier_is_paused_after_three_timeouts(store, hung_courier):
    shipments = due_shipments(store, 10)
    Shipment.objects.update(next_poll_at=timezone.now() - timedelta(minutes=1))
    shipments[0].account.base_url = hung_courier
    shipments[0].account.save()
    ids = polling.shipments_claim_due(batch=100)

    started = time.monotonic()
    outcomes = polling.shipments_poll(ids)

    assert time.monotonic() - started < 5  # three timeouts, not ten
    assert outcomes == {"unavailable": 3, "courier paused": 7}
    assert polling.account_paused(shipments[0].account_id)
    paused = Shipment.objects.filter(poll_failures=0)
    assert paused.count() == 7
    for shipment in paused:
        assert shipment.next_poll_at > timezone.now() + timedelta(minutes=1)


def test_a_batch_out_of_time_hands_its_other_shipments_back(
    store, hung_courier, monkeypatch
):
    monkeypatch.setattr(polling, "BATCH_BUDGET_SECONDS", 0.3)
    monkeypatch.setattr(polling, "PAUSE_AFTER_FAILURES", 100)
    due_shipments(store, 10)
    CourierAccountFactory._meta.model.objects.update(base_url=hung_courier)
    ids = polling.shipments_claim_due(batch=100)

    outcomes = polling.shipments_poll(ids)

    asked = outcomes["unavailable"]
    assert 1 <= asked < 10
    assert outcomes["handed back"] == 10 - asked
    # Due again at once for the next worker, not after their five-minute lease.
    assert set(polling.shipments_claim_due(batch=100)) == set(ids) - {
        s.pk for s in Shipment.objects.filter(poll_failures=1)
    }
