"""One policy for customer notifications: several notices about one order within
minutes become one message saying where the order is now, and texts wait for the
morning during the shop's quiet hours (messaging.notifications.customers)."""

import datetime as dt

import pytest
import time_machine

from messaging.models import NotificationPreference
from messaging.notifications.customers import (
    DIGEST_WINDOW,
    Notice,
    customer_notify,
)
from messaging.services import message_reply, notification_preferences_update
from orders.notifications import (
    manual_tracking_notification,
    order_send_tracking_notification,
)
from performile.errors import ApplicationError
from performile.models import OutboxMessage
from tests.factories import CustomerFactory, OrderFactory

pytestmark = pytest.mark.django_db
NOON = dt.datetime(2026, 3, 2, 11, 0, tzinfo=dt.UTC)  # 12:00 in Stockholm


def notice(text):
    return Notice(
        subject=text, body=f"Hello,\n\n{text}", text=text, group="order_updates"
    )


@pytest.fixture
def order(store):
    customer = CustomerFactory(
        merchant=store.merchant, email="anna@example.com", phone="+46701234567"
    )
    return OrderFactory(store=store, customer=customer)


def at(moment):
    return time_machine.travel(moment, tick=False)


def queued(order):
    return list(OutboxMessage.objects.filter(order_id=order.pk).order_by("pk"))


def test_notices_within_minutes_become_one_message(order):
    with at(NOON):
        customer_notify(order=order, notice=notice("Confirmed"))
    with at(NOON + dt.timedelta(minutes=2)):
        customer_notify(order=order, notice=notice("Shipped"))
    with at(NOON + dt.timedelta(minutes=3)):
        customer_notify(order=order, notice=notice("Out for delivery"))

    first, second = queued(order)
    assert (first.subject, first.next_attempt_at) == ("Confirmed", NOON)
    assert second.subject == "Out for delivery"  # the newest says where it is now
    assert "Out for delivery" in second.body
    assert second.next_attempt_at == NOON + DIGEST_WINDOW
    assert second.digest_key == f"notice:{order.pk}:email:anna@example.com"


def test_a_notice_after_the_window_goes_at_once(order):
    with at(NOON):
        customer_notify(order=order, notice=notice("Confirmed"))
    later = NOON + DIGEST_WINDOW + dt.timedelta(seconds=1)
    with at(later):
        customer_notify(order=order, notice=notice("Shipped"))

    assert [m.next_attempt_at for m in queued(order)] == [NOON, later]


def test_a_text_waits_for_the_morning_an_email_does_not(order, twilio_server):
    notification_preferences_update(
        customer=order.customer, actor=None, email=True, sms=True
    )
    late = dt.datetime(2026, 3, 2, 21, 30, tzinfo=dt.UTC)  # 22:30 in Stockholm
    with at(late):
        customer_notify(order=order, notice=notice("Shipped"))

    by_channel = {m.channel: m.next_attempt_at for m in queued(order)}
    assert by_channel["email"] == late
    assert by_channel["sms"] == dt.datetime(2026, 3, 3, 7, 0, tzinfo=dt.UTC)  # 08:00


def test_a_customers_own_quiet_hours_decide_when_a_text_goes(order, twilio_server):
    """Hours 22-07 instead of 21-08: 21:30 goes at once, 06:30 waits for 07:00;
    a customer who turned quiet hours off is texted at any time."""
    notification_preferences_update(
        customer=order.customer,
        actor=None,
        email=False,
        sms=True,
        quiet_start=22,
        quiet_end=7,
    )
    evening = dt.datetime(2026, 3, 2, 20, 30, tzinfo=dt.UTC)  # 21:30 in Stockholm
    with at(evening):
        customer_notify(order=order, notice=notice("Shipped"))
    early = dt.datetime(2026, 3, 4, 5, 30, tzinfo=dt.UTC)  # 06:30 in Stockholm
    with at(early):
        customer_notify(order=order, notice=notice("Out for delivery"))
    notification_preferences_update(
        customer=order.customer, actor=None, quiet_hours=False
    )
    night = dt.datetime(2026, 3, 6, 1, 0, tzinfo=dt.UTC)  # 02:00 in Stockholm
    with at(night):
        customer_notify(order=order, notice=notice("Delivered"))

    assert [m.next_attempt_at for m in queued(order)] == [
        evening,
        dt.datetime(2026, 3, 4, 6, 0, tzinfo=dt.UTC),  # 07:00
        night,
    ]


def test_quiet_hours_are_whole_hours_that_differ(order):
    for hours in ({"quiet_start": 24}, {"quiet_end": "x"}, {"quiet_start": 8}):
        with pytest.raises(ApplicationError):
            notification_preferences_update(
                customer=order.customer, actor=None, **hours
            )
    assert not NotificationPreference.objects.filter(customer=order.customer).exists()


def test_replies_and_other_messages_are_not_merged(order, staff_user):
    with at(NOON):
        customer_notify(order=order, notice=notice("Confirmed"))
        message_reply(order=order, actor=staff_user, body="Thanks!")
    with at(NOON + dt.timedelta(minutes=1)):
        customer_notify(order=order, notice=notice("Shipped"))

    subjects = [m.subject for m in queued(order)]
    assert subjects[0] == "Confirmed"
    assert "Shipped" in subjects
    assert len(subjects) == 3


# --- The Orders view's "Send notification" honours the customer's choices ----------


@pytest.fixture
def tracked(order):
    order.tracking_number = "SBX123"
    order.tracking_status = "in_transit"
    order.save(update_fields=["tracking_number", "tracking_status"])
    return order


def test_a_customer_who_turned_shipping_updates_off_gets_no_manual_notice(
    tracked, staff_user, twilio_server
):
    notification_preferences_update(
        customer=tracked.customer, actor=None, shipping_updates=False
    )

    with pytest.raises(ApplicationError, match="turned off shipping updates"):
        order_send_tracking_notification(order=tracked, actor=staff_user)
    assert queued(tracked) == []


def test_a_manual_notice_goes_only_by_the_channels_they_chose(
    tracked, staff_user, twilio_server
):
    notification_preferences_update(
        customer=tracked.customer, actor=None, email=True, sms=False
    )

    preview = manual_tracking_notification(order=tracked, actor=staff_user)
    assert (preview.email, preview.phone) == ("anna@example.com", "")
    assert any("turned off text messages" in note for note in preview.notes)
    sent = order_send_tracking_notification(order=tracked, actor=staff_user)
    assert [m.channel for m in sent] == ["email"]


def test_a_customer_who_never_chose_is_reached_on_every_channel(
    tracked, staff_user, twilio_server
):
    sent = order_send_tracking_notification(order=tracked, actor=staff_user)

    assert sorted(m.channel for m in sent) == ["email", "sms"]
