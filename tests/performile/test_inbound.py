"""The inbound log (performile.inbound): recorded and acknowledged at the door,
applied by appliers exactly once, in order per entity, whatever fails."""

import dataclasses
import threading

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from orders.ingestion import shopify
from orders.models import Order, OrderEvent
from performile import inbound
from performile.models import InboundDelivery, InboundKey
from tests.factories import UserFactory
from tests.inbound import MidBatch, apply_all, apply_due
from tests.orders.payloads import post_shopify, shopify_order
from tests.racing import race


@pytest.fixture
def workers_stopped(settings):
    """No applier runs: deliveries wait in the log until a test applies them."""
    settings.INBOUND_APPLY_EAGER = False


def deliveries():
    """What providers sent (not the domain events the appliers record as well)."""
    return InboundDelivery.objects.exclude(provider="event")


def orders_of(store):
    return Order.objects.filter(store=store)


def test_acknowledged_with_every_worker_stopped_and_applied_when_one_starts(
    client, store, workers_stopped
):
    response = post_shopify(client, store, shopify_order())

    assert response.status_code == 200
    delivery = InboundDelivery.objects.get(pk=response.json()["delivery"])
    assert delivery.status == "pending"
    assert delivery.entity == f"order:{store.pk}:450789469"
    assert b'"#1001"' in bytes(delivery.body)
    assert "X-Shopify-Hmac-Sha256" not in delivery.headers  # no signatures kept
    assert not orders_of(store).exists()

    call_command("inbound_apply", "--once")

    delivery.refresh_from_db()
    order = orders_of(store).get()
    assert delivery.status == "applied"
    assert delivery.result == {
        "order_id": order.pk,
        "order_number": "#1001",
        "created": True,
    }
    assert delivery.finished_at is not None


def test_the_same_delivery_twice_is_recorded_once(client, store, workers_stopped):
    first = post_shopify(client, store, shopify_order(), webhook_id="w-1")
    second = post_shopify(client, store, shopify_order(), webhook_id="w-1")

    assert first.json()["status"] == "accepted"
    assert second.json() == {"status": "duplicate"}
    assert InboundDelivery.objects.count() == 1


def test_long_delivery_ids_sharing_a_prefix_are_two_deliveries(
    client, store, workers_stopped
):
    prefix = "x" * 300
    post_shopify(client, store, shopify_order(), webhook_id=prefix + "a")
    post_shopify(
        client, store, shopify_order(order_id=2, name="#2"), webhook_id=prefix + "b"
    )

    ids = set(InboundDelivery.objects.values_list("delivery_id", flat=True))
    assert len(ids) == 2
    assert all(len(i) <= 255 for i in ids)


@pytest.mark.django_db(transaction=True)
def test_two_appliers_and_a_replay_apply_each_delivery_once(client, store, settings):
    settings.INBOUND_APPLY_EAGER = False
    for number in range(1, 41):
        post_shopify(client, store, shopify_order(order_id=number, name=f"#{number}"))
    connection.close()

    assert race([apply_all, apply_all]) == []

    assert orders_of(store).count() == 40
    assert OrderEvent.objects.filter(order__store=store).count() == 40
    assert set(InboundDelivery.objects.values_list("status", flat=True)) == {"applied"}
    # Each order's creation was dispatched to the receivers once.
    created = InboundDelivery.objects.filter(route__signal="orders.order_created")
    assert created.count() == 40

    # Replayed, the same deliveries change nothing: each order is already so.
    inbound.replay(deliveries())
    assert race([apply_all, apply_all]) == []
    assert orders_of(store).count() == 40
    assert OrderEvent.objects.filter(order__store=store).count() == 40
    assert set(deliveries().values_list("status", flat=True)) == {"ignored"}
    assert created.count() == 40


def test_the_updates_of_one_order_apply_in_the_order_they_came(
    client, store, workers_stopped
):
    post_shopify(client, store, shopify_order(note="first"))
    post_shopify(
        client,
        store,
        shopify_order(note="second", updated_at="2026-11-20T11:00:00-05:00"),
        topic="orders/updated",
    )
    # An older version of the order, delivered last, never wins.
    post_shopify(
        client,
        store,
        shopify_order(note="stale", updated_at="2026-11-20T10:30:00-05:00"),
        topic="orders/updated",
    )

    # One batch takes the three, and applies them in the order they came.
    assert inbound.apply_batch() == 3

    assert orders_of(store).get().notes == "second"
    statuses = list(deliveries().order_by("seq").values_list("status", flat=True))
    assert statuses == ["applied", "applied", "ignored"]


def test_a_failing_delivery_does_not_hold_up_its_batch_and_is_retried(
    client, store, workers_stopped, monkeypatch
):
    for number in (1, 2, 3):
        post_shopify(client, store, shopify_order(order_id=number, name=f"#{number}"))
    parse = shopify.parse_order

    def broken_for_one(payload, **kwargs):
        if payload["id"] == 2:
            raise ValueError("mapping bug")
        return parse(payload, **kwargs)

    monkeypatch.setattr(shopify, "parse_order", broken_for_one)

    assert inbound.apply_batch() == 3

    assert sorted(orders_of(store).values_list("order_number", flat=True)) == [
        "#1",
        "#3",
    ]
    failed = InboundDelivery.objects.get(entity=f"order:{store.pk}:2")
    assert failed.status == "pending"
    assert failed.attempts == 1
    assert failed.error == "ValueError: mapping bug"
    assert failed.available_at > timezone.now()  # after a backoff
    apply_all()  # the events of the two orders
    failed.refresh_from_db()
    assert failed.attempts == 1  # not yet due

    monkeypatch.setattr(shopify, "parse_order", parse)  # the fix is deployed
    apply_due()

    failed.refresh_from_db()
    assert failed.status == "applied"
    assert orders_of(store).count() == 3


def test_after_the_last_attempt_a_delivery_is_failed_and_replayable(
    client, store, workers_stopped, monkeypatch
):
    post_shopify(client, store, shopify_order())
    parse = shopify.parse_order

    def broken(payload, **kwargs):
        raise KeyError("total_price")

    monkeypatch.setattr(shopify, "parse_order", broken)
    for _attempt in range(inbound.MAX_ATTEMPTS):
        apply_due()
    delivery = InboundDelivery.objects.get()
    assert delivery.status == "failed"
    assert delivery.attempts == inbound.MAX_ATTEMPTS

    monkeypatch.setattr(shopify, "parse_order", parse)
    call_command("inbound_replay", "--status", "failed")
    apply_all()

    delivery.refresh_from_db()
    assert delivery.status == "applied"
    assert orders_of(store).count() == 1


def test_replay_after_a_mapping_change_applies_the_new_mapping(
    client, store, workers_stopped, monkeypatch
):
    post_shopify(client, store, shopify_order(note="Leave at the door"))
    apply_all()
    assert orders_of(store).get().notes == "Leave at the door"

    parse = shopify.parse_order

    def remapped(payload, **kwargs):
        incoming = parse(payload, **kwargs)
        return dataclasses.replace(incoming, notes=incoming.notes.upper())

    monkeypatch.setattr(shopify, "parse_order", remapped)
    since = (timezone.now() - timezone.timedelta(hours=1)).isoformat()
    call_command("inbound_replay", "--provider", "shopify", "--since", since)
    apply_all()

    delivery = deliveries().get()
    assert (delivery.status, delivery.error) == ("applied", "")
    assert orders_of(store).get().notes == "LEAVE AT THE DOOR"
    assert orders_of(store).count() == 1


def test_the_replay_command_needs_a_filter(db):
    with pytest.raises(Exception, match="Say which deliveries"):
        call_command("inbound_replay")


@pytest.mark.django_db(transaction=True)
def test_an_applier_killed_mid_batch_loses_nothing_and_applies_nothing_twice(
    client, store, settings, monkeypatch
):
    settings.INBOUND_APPLY_EAGER = False
    for number in range(1, 6):
        post_shopify(client, store, shopify_order(order_id=number, name=f"#{number}"))
    crash, parse = MidBatch(), shopify.parse_order

    def hang_on_the_third(payload, **kwargs):
        if payload["id"] == 3:
            crash.hang()  # two orders written in its open transaction, none committed
        return parse(payload, **kwargs)

    monkeypatch.setattr(shopify, "parse_order", hang_on_the_third)

    crash.kill()

    assert not orders_of(store).exists()
    assert set(InboundDelivery.objects.values_list("status", flat=True)) == {"pending"}
    apply_all()
    assert orders_of(store).count() == 5
    assert OrderEvent.objects.filter(order__store=store).count() == 5
    assert InboundKey.objects.count() == 5


@pytest.mark.django_db(transaction=True)
def test_an_applier_wakes_on_notify_and_applies_what_arrives(client, store, settings):
    settings.INBOUND_APPLY_EAGER = False
    stop = threading.Event()

    def applier():
        try:
            inbound.run(stop=stop.is_set, idle=30)
        finally:
            connection.close()

    worker = threading.Thread(target=applier)
    worker.start()
    try:
        post_shopify(client, store, shopify_order())
        delivery = InboundDelivery.objects.get()
        for _ in range(300):
            delivery.refresh_from_db()
            if delivery.status != "pending":
                break
            threading.Event().wait(0.05)
        # Applied long before the 30 s idle wait would have ended.
        assert delivery.status == "applied"
    finally:
        stop.set()
        inbound.notify()
        worker.join(30)
    assert orders_of(store).count() == 1


def test_healthz_reports_the_backlog(client, store, workers_stopped):
    post_shopify(client, store, shopify_order())

    body = client.get("/healthz").json()

    assert body["pending"]["inbound"]["pending"] == 1


def test_the_admin_page_shows_deliveries_and_retries_them(
    client, store, workers_stopped, second_store
):
    post_shopify(client, store, shopify_order(note="Ring twice"))
    post_shopify(client, second_store, shopify_order(order_id=9, name="#9"))
    admin = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(admin)
    url = reverse("admin:performile_inbounddelivery_changelist")

    listed = client.get(url, {"store": store.pk, "status": "pending"})

    assert listed.status_code == 200
    assert listed.context["cl"].result_count == 1
    assert store.name in listed.content.decode()  # the store filter names stores
    delivery = InboundDelivery.objects.get(store_id=store.pk)
    detail = client.get(
        reverse("admin:performile_inbounddelivery_change", args=[delivery.pk])
    )
    assert "Ring twice" in detail.content.decode()  # the payload
    apply_all()
    delivery.refresh_from_db()
    assert delivery.status == "applied"

    response = client.post(
        url,
        {"action": "retry", "_selected_action": [delivery.pk]},
        follow=True,
    )

    assert "1 deliveries queued again" in response.content.decode()
    delivery.refresh_from_db()
    assert delivery.status == "pending"
    apply_all()
    delivery.refresh_from_db()
    assert delivery.status == "ignored"  # nothing new: the order already says this


def test_a_body_over_the_limit_is_refused_and_not_recorded(
    client, store, workers_stopped, settings
):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000

    response = post_shopify(client, store, shopify_order(note="x" * 2000))

    assert response.status_code == 413
    assert response.json()["error"]["code"] == "too_large"
    assert not InboundDelivery.objects.exists()
