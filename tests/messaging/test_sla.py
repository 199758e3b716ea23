"""Service levels with a frozen clock: the Inbox flags conversations near and past
their store's reply and resolution targets, an overdue reply is escalated once per
wait to the assignee and the merchant's admins, and the metrics count the first
replies that met the target."""

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from messaging import selectors, services, sla
from messaging.metrics import messaging_metrics, metrics_filters_from
from messaging.models import Message, SupportNotification, SupportSettings, Thread
from messaging.services.escalation import sla_escalate_overdue
from orders.models import OrderEvent
from performile import outbox
from performile.models import AuditEvent, OutboxMessage
from tests.factories import OrderFactory

pytestmark = pytest.mark.django_db
MONDAY = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def at(minutes=0, hours=0):
    return time_machine.travel(
        MONDAY + dt.timedelta(minutes=minutes, hours=hours), tick=False
    )


@pytest.fixture
def order(store, customer, staff_user):
    return OrderFactory(
        store=store,
        customer=customer,
        order_number="ORD-30001",
        assigned_staff=staff_user,
    )


@pytest.fixture
def targets(store):
    """A reply within an hour, closed within a day."""
    return SupportSettings.objects.create(
        store=store, first_response_minutes=60, resolution_hours=24
    )


def customer_asks(order, customer, body="Can I change the colour?"):
    return services.message_send_in_app(order=order, actor=customer.user, body=body)


def inbox(client, user):
    client.force_login(user)
    return client.get(reverse("messaging:inbox")).content.decode()


def test_the_inbox_flags_a_reply_near_and_past_its_target(
    client, order, customer, staff_user, targets
):
    with at():
        customer_asks(order, customer)
    with at(minutes=30):
        assert "data-sla" not in inbox(client, staff_user)
    with at(minutes=50):
        page = inbox(client, staff_user)
        assert 'data-sla="reply-near"' in page
        assert "Reply due in 10 min" in page
    with at(minutes=75):
        page = inbox(client, staff_user)
        assert 'data-sla="reply-breached"' in page
        assert "Reply overdue 15 min" in page
    with at(minutes=80):
        services.message_reply(order=order, actor=staff_user, body="Yes!")
        assert "data-sla" not in inbox(client, staff_user)


def test_the_resolution_target_runs_from_the_first_message_or_a_reopening(
    order, customer, staff_user, targets
):
    with at():
        customer_asks(order, customer)
        services.message_reply(order=order, actor=staff_user, body="Looking")
    thread = Thread.objects.get(order=order)
    rules = sla.targets_by_store([thread.store_id])[thread.store_id]
    kinds = lambda now: [  # noqa: E731
        (f.kind, f.breached) for f in sla.thread_flags(thread, rules, now)
    ]

    assert kinds(MONDAY + dt.timedelta(hours=19)) == [("resolution", False)]
    assert kinds(MONDAY + dt.timedelta(hours=25)) == [("resolution", True)]
    with at(hours=26):
        services.thread_close(order=order, actor=staff_user)
    with at(hours=30):
        services.thread_reopen(order=order, actor=staff_user)
    thread.refresh_from_db()
    assert kinds(MONDAY + dt.timedelta(hours=31)) == []


def test_an_overdue_reply_is_escalated_once_to_the_assignee_and_the_admins(
    order, customer, staff_user, admin_member, targets, mailoutbox
):
    staff_user.email, admin_member.email = "sara@nordic.example", "ali@nordic.example"
    staff_user.save()
    admin_member.save()
    with at():
        customer_asks(order, customer)
    with at(minutes=59):
        assert sla_escalate_overdue() == 0

    with at(minutes=61):
        assert sla_escalate_overdue() == 1
        assert sla_escalate_overdue() == 0  # once per wait

    told = OutboxMessage.objects.filter(subject="Reply overdue: order ORD-30001")
    assert sorted(told.values_list("recipient", flat=True)) == [
        "ali@nordic.example",
        "sara@nordic.example",
    ]
    for message in told:
        outbox.deliver(message.pk)
    assert "/orders/" in mail.outbox[0].body
    assert "waited 1 h 1 min" in mail.outbox[0].body
    assert AuditEvent.objects.filter(action="thread.sla_escalated").count() == 1

    # Answered, then a new wait: escalated again when it too runs over.
    with at(minutes=70):
        services.message_reply(order=order, actor=staff_user, body="Sorry!")
    with at(minutes=90):
        customer_asks(order, customer, body="And the size?")
    with at(minutes=140):
        assert sla_escalate_overdue() == 0
    with at(minutes=151):
        assert sla_escalate_overdue() == 1


def test_no_escalation_without_a_target_or_once_answered(
    order, customer, staff_user, store, targets
):
    with at():
        customer_asks(order, customer)
    with at(minutes=30):
        services.message_reply(order=order, actor=staff_user, body="Done")
    with at(hours=5):
        assert sla_escalate_overdue() == 0

    targets.first_response_minutes = None
    targets.save()
    with at(hours=6):
        customer_asks(order, customer, body="One more thing")
    with at(hours=20):
        assert sla_escalate_overdue() == 0


def test_a_store_without_settings_has_the_default_targets(order, customer):
    with at():
        customer_asks(order, customer)
    with at(minutes=sla.DEFAULT_RESPONSE_MINUTES - 1):
        assert sla_escalate_overdue() == 0
    with at(minutes=sla.DEFAULT_RESPONSE_MINUTES + 1):
        assert sla_escalate_overdue() == 1


def test_the_metrics_count_first_replies_within_the_target(
    store, customer, staff_user, targets
):
    quick = OrderFactory(store=store, customer=customer)
    slow = OrderFactory(store=store, customer=customer)
    with at():
        customer_asks(quick, customer)
        customer_asks(slow, customer)
    with at(minutes=20):
        services.message_reply(order=quick, actor=staff_user, body="Hi")
    with at(minutes=90):
        services.message_reply(order=slow, actor=staff_user, body="Hi")

    filters = metrics_filters_from({"date_from": "2026-03-01", "date_to": "2026-03-31"})
    [row] = messaging_metrics(staff_user, filters).stores

    assert (row.sla_measured, row.sla_met, row.sla_share) == (2, 1, 0.5)


def test_messages_not_from_the_customer_start_no_wait(order, staff_user, targets):
    with at():
        services.message_add_note(order=order, actor=staff_user, body="Note")
        services.message_add_system(order=order, body="Shipped")
    with at(hours=3):
        assert sla_escalate_overdue() == 0
    assert Message.objects.filter(thread__order=order).count() == 2


def test_the_inbox_filters_replies_overdue_and_due_soon(
    client, store, customer, staff_user, targets
):
    overdue = OrderFactory(store=store, customer=customer, order_number="ORD-30101")
    soon = OrderFactory(store=store, customer=customer, order_number="ORD-30102")
    fine = OrderFactory(store=store, customer=customer, order_number="ORD-30103")
    with at():
        customer_asks(overdue, customer)
    with at(minutes=30):
        customer_asks(soon, customer)
    with at(minutes=70):
        customer_asks(fine, customer)
    client.force_login(staff_user)

    def shown(**query):
        with at(minutes=80):
            page = client.get(reverse("messaging:inbox"), query).content.decode()
        return [o.order_number for o in (overdue, soon, fine) if o.order_number in page]

    assert shown(reply="overdue") == ["ORD-30101"]
    assert shown(reply="near") == ["ORD-30102"]
    assert shown() == ["ORD-30101", "ORD-30102", "ORD-30103"]
    with at(minutes=80):
        assert client.get(reverse("messaging:inbox"), {"reply": "x"}).status_code == 400


def test_an_escalation_is_in_the_app_until_the_conversation_is_read(
    client, order, customer, staff_user, admin_member, targets
):
    with at():
        customer_asks(order, customer)
    with at(minutes=61):
        sla_escalate_overdue()
    [escalation] = selectors.escalations_for(staff_user)
    assert escalation.kind == SupportNotification.Kind.REPLY_OVERDUE
    assert escalation.emailed_at is not None  # its own email: not in the digest
    assert [e.kind for e in selectors.escalations_for(admin_member)] == [
        "reply_overdue"
    ]
    assert OrderEvent.feed_events.filter(order=order).last().feed_kind == "escalated"

    client.force_login(staff_user)
    page = client.get(reverse("messaging:inbox")).content.decode()
    assert "Escalated to you" in page
    assert "Reply overdue</strong> · order ORD-30001" in page
    client.get(
        reverse("messaging:conversation", args=[order.pk]), HTTP_HX_REQUEST="true"
    )
    assert selectors.escalations_for(staff_user) == []
    assert (
        "Escalated to you"
        not in client.get(reverse("messaging:inbox")).content.decode()
    )
    assert len(selectors.escalations_for(admin_member)) == 1  # theirs until they read


def test_a_conversation_open_past_its_resolution_target_is_escalated_once_per_opening(
    order, customer, staff_user, admin_member, targets
):
    with at():
        customer_asks(order, customer)
    with at(minutes=20):
        services.message_reply(order=order, actor=staff_user, body="Looking into it")
    with at(hours=23):
        assert sla_escalate_overdue() == 0
    with at(hours=24, minutes=1):
        assert sla_escalate_overdue() == 1
        assert sla_escalate_overdue() == 0
    subjects = set(OutboxMessage.objects.values_list("subject", flat=True))
    assert "Resolution overdue: order ORD-30001" in subjects
    assert AuditEvent.objects.filter(action="thread.resolution_escalated").count() == 1
    assert [e.kind for e in selectors.escalations_for(staff_user)] == [
        "resolution_overdue"
    ]

    # Closed and reopened: a new open period, escalated again when it runs over.
    with at(hours=25):
        services.thread_close(order=order, actor=staff_user)
        services.thread_reopen(order=order, actor=staff_user)
    with at(hours=48):
        assert sla_escalate_overdue() == 0
    with at(hours=49, minutes=1):
        assert sla_escalate_overdue() == 1
    with at(hours=50):
        services.thread_close(order=order, actor=staff_user)
    with at(hours=100):
        assert sla_escalate_overdue() == 0
