"""Domain events (performile.events): recorded in the transaction of the change,
dispatched to the receivers by the appliers, once, in order per order."""

from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone

from messaging.models import Message
from orders import signals
from orders.ingestion.incoming import IncomingMoney, IncomingPayment
from orders.models import Order
from orders.services import order_change_status
from orders.state_machine import OrderStatus as S
from performile import events
from performile.models import InboundDelivery, OutboxMessage
from tests.factories import CustomerFactory, OrderFactory
from tests.inbound import MidBatch, apply_all, apply_due


@pytest.fixture
def workers_stopped(settings):
    settings.INBOUND_APPLY_EAGER = False


@pytest.fixture
def order(store):
    customer = CustomerFactory(merchant=store.merchant, email="eva@example.com")
    return OrderFactory(store=store, customer=customer, status=S.PENDING)


def notifications(order):
    return OutboxMessage.objects.filter(order_id=order.pk)


def status_events():
    return InboundDelivery.objects.filter(route__signal="orders.order_status_changed")


@pytest.mark.django_db(transaction=True)
def test_a_change_that_rolls_back_leaves_no_event_and_no_notification(
    order, settings, staff_user
):
    settings.INBOUND_APPLY_EAGER = False

    def failing_request():
        with transaction.atomic():
            order_change_status(order=order, to=S.CONFIRMED, actor=staff_user)
            raise RuntimeError("the request failed after the change")

    with pytest.raises(RuntimeError):
        failing_request()

    apply_all()
    assert not status_events().exists()
    assert not notifications(order).exists()
    assert not Message.objects.filter(thread__order=order).exists()


@pytest.mark.django_db(transaction=True)
def test_a_committed_change_is_told_once_off_the_request(order, settings, staff_user):
    settings.INBOUND_APPLY_EAGER = False

    order_change_status(order=order, to=S.CONFIRMED, actor=staff_user)

    # The request is done; what the change causes has not run in it.
    event = status_events().get()
    assert event.status == "pending"
    assert not notifications(order).exists()

    apply_all()
    event.refresh_from_db()
    assert event.status == "applied"
    assert len(event.result["done"]) >= 2  # invoices, messaging, ...
    assert notifications(order).count() == 1
    assert Message.objects.filter(thread__order=order, direction="system").count() == 1

    apply_all()  # nothing is dispatched twice
    assert notifications(order).count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_dispatcher_killed_mid_batch_loses_no_notification_and_sends_none_twice(
    order, settings, staff_user
):
    settings.INBOUND_APPLY_EAGER = False
    order_change_status(order=order, to=S.CONFIRMED, actor=staff_user)
    from messaging import receivers

    told, crash = receivers.on_order_status_changed, MidBatch()

    def hang_after_telling(*args, **kwargs):
        told(*args, **kwargs)  # the notification is written, not committed
        crash.hang()

    signals.order_status_changed.disconnect(dispatch_uid="messaging-order-status")
    signals.order_status_changed.connect(
        hang_after_telling, dispatch_uid="messaging-order-status", weak=False
    )
    try:
        crash.kill()
        assert not notifications(order).exists()
        assert status_events().get().status == "pending"
    finally:
        signals.order_status_changed.disconnect(dispatch_uid="messaging-order-status")
        signals.order_status_changed.connect(
            told, dispatch_uid="messaging-order-status"
        )

    apply_all()
    assert notifications(order).count() == 1


def test_a_failing_receiver_is_retried_without_running_the_others_again(
    order, workers_stopped
):
    calls = {"steady": 0, "flaky": 0}

    def steady(sender, **kwargs):
        calls["steady"] += 1

    def flaky(sender, **kwargs):
        calls["flaky"] += 1
        if calls["flaky"] <= 2:
            raise ConnectionError("the provider is down")

    signals.order_deleted.connect(steady, dispatch_uid="test-steady", weak=False)
    signals.order_deleted.connect(flaky, dispatch_uid="test-flaky", weak=False)
    try:
        events.send_on_commit(signals.order_deleted, Order, order_id=order.pk)
        apply_all()
        event = InboundDelivery.objects.get(route__signal="orders.order_deleted")
        assert event.status == "pending"
        assert "ConnectionError: the provider is down" in event.error
        assert event.available_at > timezone.now()

        apply_due()
    finally:
        signals.order_deleted.disconnect(dispatch_uid="test-steady")
        signals.order_deleted.disconnect(dispatch_uid="test-flaky")

    event.refresh_from_db()
    assert event.status == "applied"
    # The batch try (rolled back), the try alone (steady's work stands), the retry
    # after the backoff (flaky alone).
    assert calls == {"steady": 2, "flaky": 3}


def test_event_arguments_keep_their_types(db):
    money = IncomingMoney(
        paid=Decimal("10.50"),
        refunds=(
            IncomingPayment(
                provider_id="r1",
                amount=Decimal("-2.00"),
                received_at=timezone.now(),
            ),
        ),
    )
    arguments = {"order_id": 7, "money": money, "changed": ["notes"]}

    assert events.decode(events.encode(arguments)) == arguments
    with pytest.raises(TypeError):
        events.encode({"order": object()})
