"""The inbox and message search (messaging.inbox): filters, ranking, snippets."""

import datetime as dt

import pytest
import time_machine
from django.http import QueryDict

from messaging import services
from messaging.inbox import (
    InboxFilters,
    inbox_filters_from,
    inbox_threads,
    message_search,
)
from messaging.models import Message
from messaging.services.inbound import record_inbound
from orders.state_machine import OrderStatus
from performile.errors import ApplicationError, NotAllowed
from tests.factories import CustomerFactory, OrderFactory

Channel = Message.Channel


@pytest.fixture
def order(store, customer):
    return OrderFactory(store=store, customer=customer, order_number="ORD-20001")


@pytest.fixture
def other_order(second_store, merchant):
    customer = CustomerFactory(merchant=merchant, phone="+46701111111")
    return OrderFactory(
        store=second_store,
        customer=customer,
        order_number="ORD-20002",
        status=OrderStatus.SHIPPED,
    )


def _inbound(order, body, *, channel=Channel.EMAIL, subject="", at=None):
    thread = services.thread_get_or_create(order=order)
    message = Message.objects.create(
        thread=thread,
        merchant_id=order.merchant_id,
        channel=channel,
        direction=Message.Direction.INBOUND,
        author_customer=order.customer,
        subject=subject,
        body=body,
        **({"created_at": at} if at else {}),
    )
    record_inbound(thread, message)
    return message


def _thread_ids(user, **filters):
    return {thread.order_id for thread in inbox_threads(user, InboxFilters(**filters))}


def _hit_ids(user, **filters):
    return [hit.message.pk for hit in message_search(user, InboxFilters(**filters))]


# --- Parsing ---------------------------------------------------------------------


def test_filters_are_read_from_a_query_string():
    """Every field parses from its query-string form."""
    filters = inbox_filters_from(
        QueryDict(
            "q=late+parcel&status=closed&unread=true&order_status=shipped"
            "&channel=sms&store=7&date_from=2026-01-01&date_to=2026-01-31"
        )
    )
    assert filters == InboxFilters(
        q="late parcel",
        status="closed",
        unread=True,
        order_status="shipped",
        channel="sms",
        store_id=7,
        date_from=dt.date(2026, 1, 1),
        date_to=dt.date(2026, 1, 31),
    )
    assert inbox_filters_from({}) == InboxFilters()


def test_bad_filters_name_every_bad_field():
    """One ApplicationError names each field that is wrong."""
    with pytest.raises(ApplicationError) as caught:
        inbox_filters_from(
            {
                "status": "pending",
                "unread": "maybe",
                "order_status": "lost",
                "channel": "pigeon",
                "store": "abc",
                "date_from": "yesterday",
            }
        )
    assert set(caught.value.fields) == {
        "status",
        "unread",
        "order_status",
        "channel",
        "store",
        "date_from",
    }


def test_a_date_range_ending_before_it_starts_is_refused():
    with pytest.raises(ApplicationError) as caught:
        inbox_filters_from({"date_from": "2026-02-01", "date_to": "2026-01-01"})
    assert set(caught.value.fields) == {"date_to"}


# --- The inbox ------------------------------------------------------------------


def test_inbox_filters_by_thread_status(order, other_order, staff_user):
    _inbound(order, "Hello")
    _inbound(other_order, "Hi")
    services.thread_close(order=other_order, actor=staff_user)
    assert _thread_ids(staff_user, status="open") == {order.pk}
    assert _thread_ids(staff_user, status="closed") == {other_order.pk}
    assert _thread_ids(staff_user) == {order.pk, other_order.pk}


def test_a_thread_without_messages_is_not_in_the_inbox(order, other_order, staff_user):
    services.thread_get_or_create(order=other_order)  # the drawer's panel opened
    _inbound(order, "Hello")
    assert _thread_ids(staff_user) == {order.pk}


def test_inbox_unread_filter_and_counts(order, other_order, staff_user):
    """Reading a thread takes it out of the unread filter; the count follows."""
    first = _inbound(order, "One")
    _inbound(order, "Two")
    read = _inbound(other_order, "Three")
    services.messages_mark_read(order=other_order, message=read, user=staff_user)
    threads = {t.order_id: t for t in inbox_threads(staff_user, InboxFilters())}
    assert threads[order.pk].unread == 2
    assert threads[other_order.pk].unread == 0
    assert _thread_ids(staff_user, unread=True) == {order.pk}
    services.messages_mark_read(order=order, message=first, user=staff_user)
    assert _thread_ids(staff_user, unread=True) == {order.pk}
    assert inbox_threads(staff_user, InboxFilters()).get(order=order).unread == 1


def test_inbox_filters_by_order_status_store_and_channel(
    order, other_order, staff_user, second_store
):
    _inbound(order, "By mail", channel=Channel.EMAIL)
    _inbound(other_order, "By text", channel=Channel.SMS)
    assert _thread_ids(staff_user, order_status="shipped") == {other_order.pk}
    assert _thread_ids(staff_user, store_id=second_store.pk) == {other_order.pk}
    assert _thread_ids(staff_user, channel="email") == {order.pk}
    assert _thread_ids(staff_user, channel="whatsapp") == set()


def test_inbox_filters_by_date_of_last_activity(order, other_order, staff_user):
    _inbound(order, "January", at=dt.datetime(2026, 1, 10, 12, tzinfo=dt.UTC))
    _inbound(other_order, "March", at=dt.datetime(2026, 3, 10, 12, tzinfo=dt.UTC))
    january = {"date_from": dt.date(2026, 1, 1), "date_to": dt.date(2026, 1, 31)}
    assert _thread_ids(staff_user, **january) == {order.pk}
    assert _thread_ids(staff_user, date_from=dt.date(2026, 3, 10)) == {other_order.pk}
    assert _thread_ids(staff_user, date_to=dt.date(2026, 3, 9)) == {order.pk}


def test_inbox_keyword_keeps_threads_with_a_matching_message(
    order, other_order, staff_user, customer, reseller
):
    """An internal note matches for staff, never for those who cannot see it."""
    _inbound(order, "My parcel is damaged")
    _inbound(other_order, "When will it ship?")
    services.message_add_note(order=other_order, actor=staff_user, body="damaged?")
    assert _thread_ids(staff_user, q="damaged") == {order.pk, other_order.pk}
    assert _thread_ids(customer.user, q="damaged") == {order.pk}
    assert _thread_ids(reseller, q="damaged") == set()
    assert _thread_ids(reseller, q="ship") == {other_order.pk}


def test_inbox_newest_activity_first(order, other_order, staff_user):
    _inbound(order, "Old", at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    _inbound(other_order, "New", at=dt.datetime(2026, 2, 1, tzinfo=dt.UTC))
    threads = list(inbox_threads(staff_user, InboxFilters()))
    assert [t.order_id for t in threads] == [other_order.pk, order.pk]


# --- Search ------------------------------------------------------------------------


def test_a_message_about_the_keyword_ranks_above_a_passing_mention(
    order, other_order, staff_user
):
    passing = _inbound(order, "Thanks! Also, the refund form link was broken.")
    about = _inbound(
        other_order,
        "I asked for a refund twice. Where is my refund? The refund is late.",
        subject="Refund",
    )
    hits = message_search(staff_user, InboxFilters(q="refund"))
    assert [hit.message.pk for hit in hits] == [about.pk, passing.pk]
    assert hits[0].rank > hits[1].rank
    assert hits[0].order == other_order
    assert "<mark>refund</mark>" in hits[0].snippet


def test_the_snippet_escapes_the_message_text(order, staff_user):
    """HTML in a message is shown as text; only the highlights are tags."""
    _inbound(order, "my <b>invoice</b> & <img src=x onerror=alert(1)> is wrong")
    (hit,) = message_search(staff_user, InboxFilters(q="invoice"))
    assert "<b>" not in hit.snippet
    assert "<img" not in hit.snippet
    assert "<mark>invoice</mark>" in hit.snippet
    assert "&amp; &lt;img src=x onerror=alert(1)&gt;" in hit.snippet


def test_search_understands_web_search_syntax(order, other_order, staff_user):
    red = _inbound(order, "The red jumper is too small")
    blue = _inbound(other_order, "The blue jumper is too small")
    assert _hit_ids(staff_user, q="jumper -blue") == [red.pk]
    assert _hit_ids(staff_user, q='"blue jumper"') == [blue.pk]


def test_search_filters(order, other_order, staff_user, second_store):
    """Each filter narrows the hits: thread status, unread, order status, channel,
    store, dates."""
    mail = _inbound(order, "Parcel question", at=dt.datetime(2026, 1, 5, tzinfo=dt.UTC))
    text = _inbound(
        other_order,
        "Parcel question",
        channel=Channel.SMS,
        at=dt.datetime(2026, 2, 5, tzinfo=dt.UTC),
    )
    services.thread_close(order=order, actor=staff_user)
    services.messages_mark_read(order=other_order, message=text, user=staff_user)
    q = "parcel"
    assert set(_hit_ids(staff_user, q=q)) == {mail.pk, text.pk}
    assert _hit_ids(staff_user, q=q, status="closed") == [mail.pk]
    assert _hit_ids(staff_user, q=q, status="open") == [text.pk]
    assert _hit_ids(staff_user, q=q, unread=True) == [mail.pk]
    assert _hit_ids(staff_user, q=q, order_status="shipped") == [text.pk]
    assert _hit_ids(staff_user, q=q, channel="sms") == [text.pk]
    assert _hit_ids(staff_user, q=q, store_id=second_store.pk) == [text.pk]
    assert _hit_ids(staff_user, q=q, date_to=dt.date(2026, 1, 31)) == [mail.pk]
    assert _hit_ids(staff_user, q=q, date_from=dt.date(2026, 2, 5)) == [text.pk]


def test_search_without_keyword_lists_newest_first(order, staff_user):
    with time_machine.travel(dt.datetime(2026, 1, 1, tzinfo=dt.UTC)):
        old = _inbound(order, "first")
    with time_machine.travel(dt.datetime(2026, 1, 2, tzinfo=dt.UTC)):
        new = _inbound(order, "second")
    hits = message_search(staff_user, InboxFilters())
    assert [hit.message.pk for hit in hits] == [new.pk, old.pk]
    assert hits[0].snippet == "second"


def test_search_pages_with_limit_and_offset(order, staff_user):
    messages = [_inbound(order, f"tracking number {n}") for n in range(5)]
    newest_first = [m.pk for m in reversed(messages)]
    first = [
        hit.message.pk
        for hit in message_search(staff_user, InboxFilters(q="tracking"), limit=2)
    ]
    rest = [
        hit.message.pk
        for hit in message_search(
            staff_user, InboxFilters(q="tracking"), limit=10, offset=2
        )
    ]
    assert first + rest == newest_first


def test_search_finds_internal_notes_for_staff(order, staff_user):
    note = services.message_add_note(order=order, actor=staff_user, body="Chargeback")
    assert _hit_ids(staff_user, q="chargeback") == [note.pk]


def test_search_skips_deleted_orders(order, staff_user):
    _inbound(order, "Where is my sofa?")
    order.deleted_at = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    order.save(update_fields=["deleted_at"])
    assert _hit_ids(staff_user, q="sofa") == []


def test_search_is_for_staff_only(order, customer, supplier, reseller, admin_member):
    _inbound(order, "Hello")
    assert _hit_ids(admin_member, q="hello")
    for user in (customer.user, supplier, reseller):
        with pytest.raises(NotAllowed):
            message_search(user, InboxFilters(q="hello"))


def test_search_stays_in_the_staff_members_merchant(
    order, other_store, other_merchant_staff
):
    """Another merchant's staff never find this merchant's messages."""
    _inbound(order, "Secret recipe")
    theirs = OrderFactory(store=other_store)
    mine = _inbound(theirs, "Secret recipe")
    assert _hit_ids(other_merchant_staff, q="secret") == [mine.pk]


def test_anonymous_and_inactive_users_see_nothing(order, staff_user):
    """No scope at all: an empty inbox, and search refused."""
    from django.contrib.auth.models import AnonymousUser

    _inbound(order, "Hello")
    staff_user.is_active = False
    staff_user.save(update_fields=["is_active"])
    for user in (AnonymousUser(), staff_user):
        assert list(inbox_threads(user, InboxFilters())) == []
        with pytest.raises(NotAllowed):
            message_search(user, InboxFilters(q="hello"))


@pytest.mark.parametrize(
    ("text", "query", "found"),
    [
        (
            "Hej! Jag har inte fått beställningen än, paketen är sena.",
            "beställning",
            "beställningen",
        ),
        ("Hei! Jeg har ikke fått pakken ennå, leveringen er sen.", "pakke", "pakken"),
        ("Hej! Jeg har ikke fået pakken endnu, hvornår kommer den?", "pakke", "pakken"),
        ("Hi, both parcels arrived damaged.", "parcel", "parcels"),
    ],
)
def test_search_reads_each_message_in_its_own_language(
    order, staff_user, customer, text, query, found
):
    message = services.message_receive(
        channel=Channel.EMAIL, sender=customer.email, subject="Fråga", body=text
    )

    hits = message_search(staff_user, InboxFilters(q=query))

    assert [hit.message.pk for hit in hits] == [message.pk]
    assert f"<mark>{found}</mark>" in hits[0].snippet


def test_a_swedish_message_is_stored_as_swedish(order, customer):
    message = services.message_receive(
        channel=Channel.EMAIL,
        sender=customer.email,
        body="Hej, kan ni ändra adressen på min beställning? Tack!",
    )

    assert message.language == "sv"
