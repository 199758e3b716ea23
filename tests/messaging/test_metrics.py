"""Support metrics (messaging.metrics) against a hand-computed example.

Store "Nordic Goods", order ORD-50001 (2 March 2026, UTC):
  09:00 the customer writes in the portal     -> first inbound
  09:30 staff replies                         -> first response 1800 s (staff)
  10:00 the customer texts (SMS)
  11:00 the admin replies                     -> response 3600 s (admin)
  12:00 staff closes the thread               -> resolved in 10800 s (staff)
Store "Nordic Outlet", order ORD-50002 (3 March):
  08:00 an email from the customer            -> first inbound
  10:00 the admin replies by email            -> first response 7200 s (admin)
  10:30 staff adds an internal note           (not a message of the conversation)
  11:00 another email                         -> awaiting a reply, unread
ORD-50003, in January, is outside the range.
"""

import datetime as dt

import pytest
import time_machine

from messaging import services
from messaging.metrics import (
    Durations,
    MetricsFilters,
    Volume,
    messaging_metrics,
    metrics_filters_from,
)
from messaging.models import Message
from performile.errors import ApplicationError, NotAllowed
from tests.factories import CustomerFactory, OrderFactory

MARCH = {"date_from": "2026-03-01", "date_to": "2026-03-31"}


def at(day, hour, minute=0):
    return time_machine.travel(
        dt.datetime(2026, 3, day, hour, minute, tzinfo=dt.UTC), tick=False
    )


@pytest.fixture
def history(store, second_store, customer, staff_user, admin_member):
    first = OrderFactory(store=store, customer=customer, order_number="ORD-50001")
    emailer = CustomerFactory(merchant=store.merchant, email="eva@example.com")
    second = OrderFactory(
        store=second_store, customer=emailer, order_number="ORD-50002"
    )
    with at(2, 9):
        services.message_send_in_app(order=first, actor=customer.user, body="Hi?")
    with at(2, 9, 30):
        services.message_reply(order=first, actor=staff_user, body="Looking")
    with at(2, 10):
        services.message_receive(
            channel=Message.Channel.SMS, sender="+46709999999", body="ORD-50001 ?"
        )
    with at(2, 11):
        services.message_reply(
            order=first, actor=admin_member, body="Shipped", channel="in_app"
        )
    with at(2, 12):
        services.thread_close(order=first, actor=staff_user)
    with at(3, 8):
        services.message_receive(
            channel=Message.Channel.EMAIL,
            sender="eva@example.com",
            subject="ORD-50002",
            body="Wrong size",
        )
    with at(3, 10):
        services.message_reply(
            order=second, actor=admin_member, body="Send it back", channel="email"
        )
    with at(3, 10, 30):
        services.message_add_note(order=second, actor=staff_user, body="Repeat buyer")
    with at(3, 11):
        services.message_receive(
            channel=Message.Channel.EMAIL,
            sender="eva@example.com",
            subject="Re: ORD-50002",
            body="Where to?",
        )
    january = OrderFactory(store=store, customer=customer, order_number="ORD-50003")
    with time_machine.travel(dt.datetime(2026, 1, 10, tzinfo=dt.UTC), tick=False):
        services.message_send_in_app(order=january, actor=customer.user, body="Old")
        services.message_reply(order=january, actor=staff_user, body="Old reply")
    return first, second


def test_metrics_per_store(history, staff_user, store, second_store):
    result = messaging_metrics(staff_user, metrics_filters_from(MARCH))
    assert result.date_from == dt.date(2026, 3, 1)
    assert result.date_to == dt.date(2026, 3, 31)
    goods, outlet = result.stores  # by name
    assert (goods.id, outlet.id) == (store.pk, second_store.pk)
    assert goods.first_response == Durations(1, 1800, 1800)
    assert goods.response == Durations(2, 2700, 2700)
    assert goods.volume == Volume(
        orders=1, messages=4, avg_per_order=4, max_per_order=4
    )
    assert goods.channels == {"in_app": 1, "sms": 1}
    assert goods.unread == 0
    assert goods.awaiting_reply == 0
    assert goods.resolution == Durations(1, 10800, 10800)
    assert outlet.first_response == Durations(1, 7200, 7200)
    assert outlet.response == Durations(1, 7200, 7200)
    assert outlet.volume == Volume(
        orders=1, messages=3, avg_per_order=3, max_per_order=3
    )
    assert outlet.channels == {"email": 2}
    assert outlet.unread == 1
    assert outlet.awaiting_reply == 1
    assert outlet.resolution == Durations()


def test_metrics_per_staff_member(history, staff_user, admin_member):
    result = messaging_metrics(admin_member, metrics_filters_from(MARCH))
    rows = {row.id: row for row in result.staff}
    assert set(rows) == {staff_user.pk, admin_member.pk}
    staff, admin = rows[staff_user.pk], rows[admin_member.pk]
    assert staff.first_response == Durations(1, 1800, 1800)
    assert staff.response == Durations(1, 1800, 1800)
    assert staff.volume == Volume(
        orders=1, messages=1, avg_per_order=1, max_per_order=1
    )
    assert staff.channels == {"in_app": 1}
    assert staff.resolution == Durations(1, 10800, 10800)
    # Unread for staff: the SMS after their reply, the last email after their note.
    assert staff.unread == 2
    assert admin.first_response == Durations(1, 7200, 7200)
    assert admin.response == Durations(2, 5400, 5400)
    assert admin.volume == Volume(
        orders=2, messages=2, avg_per_order=1, max_per_order=1
    )
    assert admin.channels == {"in_app": 1, "email": 1}
    assert admin.resolution == Durations()
    assert admin.unread == 1


def test_metrics_filter_by_store_and_staff(history, staff_user, admin_member, store):
    result = messaging_metrics(
        staff_user,
        metrics_filters_from({**MARCH, "store": store.pk, "staff": admin_member.pk}),
    )
    assert [row.id for row in result.stores] == [store.pk]
    assert [row.id for row in result.staff] == [admin_member.pk]
    (admin,) = result.staff
    assert admin.response == Durations(1, 3600, 3600)
    assert admin.unread == 0


def test_metrics_default_to_the_last_30_days(history, staff_user, store):
    """On 20 January, the range is 22 December to 20 January: of the messages,
    only ORD-50003's count (awaiting a reply is the current state, not a range)."""
    with time_machine.travel(dt.datetime(2026, 1, 20, 12, tzinfo=dt.UTC)):
        result = messaging_metrics(staff_user, MetricsFilters())
    assert result.date_from == dt.date(2025, 12, 22)
    assert result.date_to == dt.date(2026, 1, 20)
    goods = next(row for row in result.stores if row.id == store.pk)
    assert goods.first_response.count == 1
    assert goods.volume == Volume(
        orders=1, messages=2, avg_per_order=2, max_per_order=2
    )


def test_metrics_are_for_staff_of_the_merchant(
    history, customer, supplier, reseller, other_merchant_staff
):
    for user in (customer.user, supplier, reseller):
        with pytest.raises(NotAllowed):
            messaging_metrics(user, MetricsFilters())
    theirs = messaging_metrics(other_merchant_staff, metrics_filters_from(MARCH))
    assert theirs.stores == []
    assert [row.id for row in theirs.staff] == [other_merchant_staff.pk]


def test_the_metrics_api(history, staff_api, store):
    answer = staff_api.get("/api/messages/metrics", {**MARCH, "store": store.pk})
    assert answer.status_code == 200
    body = answer.json()
    assert body["date_from"] == "2026-03-01"
    (goods,) = body["stores"]
    assert goods["first_response"] == {
        "count": 1,
        "avg_seconds": 1800,
        "median_seconds": 1800,
    }
    assert goods["channels"] == {"in_app": 1, "sms": 1}


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"store": "abc"}, "store"),
        ({"staff": "-3"}, "staff"),
        ({"date_from": "March"}, "date_from"),
        ({"date_from": "2026-03-02", "date_to": "2026-03-01"}, "date_to"),
        ({"date_from": "2020-01-01", "date_to": "2026-01-01"}, "date_to"),
    ],
)
def test_bad_metrics_filters_answer_400(staff_api, params, field):
    answer = staff_api.get("/api/messages/metrics", params)
    assert answer.status_code == 400
    assert field in answer.json()["error"]["fields"]
    with pytest.raises(ApplicationError):
        metrics_filters_from(params)


def test_metrics_count_the_conversations_answered_automatically(
    history, staff_user, store, second_store, customer
):
    asked = OrderFactory(store=store, customer=customer, order_number="ORD-50004")
    with at(4, 9):
        services.message_send_in_app(
            order=asked, actor=customer.user, body="Where is my order?"
        )

    goods, outlet = messaging_metrics(staff_user, metrics_filters_from(MARCH)).stores

    assert (goods.asked, goods.auto_answered, goods.auto_share) == (2, 1, 0.5)
    assert (outlet.asked, outlet.auto_answered, outlet.auto_share) == (1, 0, 0)
