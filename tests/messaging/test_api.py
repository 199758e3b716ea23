"""The messages REST API: the thread, writing, read receipts, close/reopen,
search, the unmatched inbox and unread counts."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from drf_spectacular.generators import SchemaGenerator

from messaging import services
from messaging.models import Message, Thread
from orders.state_machine import OrderStatus
from performile.models import AuditEvent, OutboxMessage
from tests.factories import OrderFactory

Channel = Message.Channel


@pytest.fixture
def order(store, customer):
    return OrderFactory(store=store, customer=customer, order_number="ORD-30001")


@pytest.fixture
def customer_api(api_client, customer):
    api_client.force_authenticate(customer.user)
    return api_client


def _url(order, suffix=""):
    return f"/api/orders/{order.pk}/messages{suffix}"


def _customer_writes(order, customer, body="Can I change the colour?"):
    return services.message_send_in_app(order=order, actor=customer.user, body=body)


# --- The thread -------------------------------------------------------------------


def test_staff_see_the_thread_oldest_first_with_notes(
    order, customer, staff_user, staff_api
):
    asked = _customer_writes(order, customer)
    note = services.message_add_note(order=order, actor=staff_user, body="VIP")
    reply = services.message_reply(order=order, actor=staff_user, body="On its way")
    answer = staff_api.get(_url(order))
    assert answer.status_code == 200
    body = answer.json()
    assert [m["id"] for m in body["messages"]] == [asked.pk, note.pk, reply.pk]
    first, second, third = body["messages"]
    assert first["author"]["type"] == "customer"
    assert first["direction"] == "inbound"
    assert first["channel"] == "in_app"
    assert first["read"] is True  # replying read what came before
    assert second["visibility"] == "internal"
    assert second["read"] is True
    assert third["delivery"]["status"] == "queued"
    assert third["delivery"]["channel"] == "email"
    assert third["delivery"]["recipient"] == customer.email
    assert body["thread"]["status"] == "open"
    assert body["thread"]["unread"] == 0  # replying read the thread
    assert body["has_more"] is False


def test_customers_see_public_messages_without_delivery_details(
    order, customer, staff_user, customer_api
):
    _customer_writes(order, customer)
    services.message_add_note(order=order, actor=staff_user, body="Refund him")
    reply = services.message_reply(order=order, actor=staff_user, body="On its way")
    body = customer_api.get(_url(order)).json()
    assert [m["visibility"] for m in body["messages"]] == ["public", "public"]
    shown = body["messages"][-1]
    assert shown["id"] == reply.pk
    assert shown["author"]["type"] == "user"
    assert shown["read"] is False
    assert shown["delivery"] == {"status": "queued", "channel": "email"}
    assert body["thread"]["unread"] == 1


def test_an_order_without_conversation_has_an_empty_thread(order, staff_api):
    body = staff_api.get(_url(order)).json()
    assert body == {
        "thread": {"status": "open", "unread": 0, "closed_at": None},
        "messages": [],
        "has_more": False,
    }


def test_the_thread_pages_backwards_and_catches_up(order, customer, staff_api):
    """limit gives the newest messages; before, older ones; after, newer ones."""
    ids = [_customer_writes(order, customer, f"Message {n}").pk for n in range(5)]
    newest = staff_api.get(_url(order), {"limit": 2}).json()
    assert [m["id"] for m in newest["messages"]] == ids[3:]
    assert newest["has_more"] is True
    older = staff_api.get(_url(order), {"limit": 2, "before": ids[3]}).json()
    assert [m["id"] for m in older["messages"]] == ids[1:3]
    oldest = staff_api.get(_url(order), {"limit": 2, "before": ids[1]}).json()
    assert [m["id"] for m in oldest["messages"]] == ids[:1]
    assert oldest["has_more"] is False
    newer = staff_api.get(_url(order), {"limit": 3, "after": ids[0]}).json()
    assert [m["id"] for m in newer["messages"]] == ids[1:4]
    assert newer["has_more"] is True


def test_loading_a_thread_takes_the_same_queries_whatever_its_length(
    order, customer, staff_user, staff_api
):
    """No query per message: attachments, authors and deliveries come along."""
    _customer_writes(order, customer)
    services.message_reply(order=order, actor=staff_user, body="Hi")
    staff_api.get(_url(order))  # what is read once per user object is read now
    with CaptureQueriesContext(connection) as few:
        staff_api.get(_url(order))
    for n in range(6):
        _customer_writes(order, customer, f"again {n}")
        services.message_reply(order=order, actor=staff_user, body=f"Reply {n}")
        services.message_add_note(order=order, actor=staff_user, body=f"Note {n}")
    with CaptureQueriesContext(connection) as many:
        body = staff_api.get(_url(order)).json()
    assert len(body["messages"]) == 20
    assert len(many.captured_queries) == len(few.captured_queries)


# --- Writing ------------------------------------------------------------------------


def test_a_customer_writes_from_the_portal(order, customer, customer_api):
    answer = customer_api.post(_url(order), {"body": "Is it shipped?"}, format="json")
    assert answer.status_code == 201
    shown = answer.json()
    assert shown["channel"] == "in_app"
    assert shown["direction"] == "inbound"
    assert shown["author"]["type"] == "customer"
    assert shown["read"] is True
    assert Message.objects.get(pk=shown["id"]).thread.order == order


def test_staff_reply_on_a_chosen_channel(order, customer, staff_api):
    _customer_writes(order, customer)
    answer = staff_api.post(
        _url(order), {"body": "Shipped today", "channel": "email"}, format="json"
    )
    assert answer.status_code == 201
    shown = answer.json()
    assert shown["direction"] == "outbound"
    assert shown["channel"] == "email"
    delivery = OutboxMessage.objects.get(message__pk=shown["id"])
    assert delivery.recipient == customer.email


def test_staff_add_an_internal_note(order, staff_api):
    answer = staff_api.post(
        _url(order), {"body": "Call the courier", "visibility": "internal"}
    )
    assert answer.status_code == 201
    assert answer.json()["visibility"] == "internal"
    assert AuditEvent.objects.filter(action="message.internal_note").exists()


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"body": ""}, "body"),
        ({"visibility": "public"}, "body"),
        ({"body": "Hi", "visibility": "secret"}, "visibility"),
        ({"body": "Hi", "channel": "pigeon"}, "channel"),
        ({"body": "x" * 100_001}, "body"),
    ],
)
def test_bad_messages_are_refused_naming_the_field(order, staff_api, payload, field):
    answer = staff_api.post(_url(order), payload, format="json")
    assert answer.status_code == 400
    assert field in answer.json()["error"]["fields"]
    assert not Message.objects.exists()


def test_a_customer_cannot_write_an_internal_note(order, customer_api):
    answer = customer_api.post(
        _url(order), {"body": "Hello", "visibility": "internal"}, format="json"
    )
    assert answer.status_code == 403
    assert answer.json()["error"]["code"] == "permission_denied"


# --- Reading ------------------------------------------------------------------------


def test_read_receipts_and_unread_counts(order, customer, staff_user, staff_api):
    """Marking a message read marks everything before it; counts follow."""
    first = _customer_writes(order, customer, "One")
    second = _customer_writes(order, customer, "Two")
    third = _customer_writes(order, customer, "Three")
    unread = staff_api.get("/api/messages/unread").json()
    assert unread["total"] == 3
    assert unread["threads"] == [
        {
            "order_id": order.pk,
            "order_number": "ORD-30001",
            "thread_id": first.thread_id,
            "unread": 3,
        }
    ]
    answer = staff_api.patch(_url(order, f"/{second.pk}/read"))
    assert answer.status_code == 200
    assert answer.json() == {"marked": 2, "unread": 1}
    assert first.receipts.filter(user=staff_user).exists()
    assert not third.receipts.filter(user=staff_user).exists()
    shown = staff_api.get(_url(order)).json()
    assert [m["read"] for m in shown["messages"]] == [True, True, False]
    assert shown["thread"]["unread"] == 1
    assert staff_api.get("/api/messages/unread").json()["total"] == 1
    again = staff_api.patch(_url(order, f"/{third.pk}/read")).json()
    assert again == {"marked": 1, "unread": 0}
    assert staff_api.get("/api/messages/unread").json() == {
        "total": 0,
        "threads": [],
        "truncated": False,
    }
    assert AuditEvent.objects.filter(action="message.read").count() == 2


def test_marking_an_unknown_message_read_is_404(
    order, customer, staff_api, other_store
):
    _customer_writes(order, customer)
    elsewhere = OrderFactory(store=other_store)
    theirs = services.message_add_system(order=elsewhere, body="Shipped")
    assert staff_api.patch(_url(order, "/999999/read")).status_code == 404
    assert staff_api.patch(_url(order, f"/{theirs.pk}/read")).status_code == 404


# --- Close and reopen ----------------------------------------------------------------


def test_staff_close_and_reopen_the_conversation(order, customer, staff_api):
    _customer_writes(order, customer)
    closed = staff_api.post(_url(order, "/close"))
    assert closed.status_code == 200
    assert closed.json()["status"] == "closed"
    assert closed.json()["closed_at"]
    assert Thread.objects.get(order=order).status == "closed"
    listed = staff_api.get(_url(order)).json()
    assert listed["thread"]["status"] == "closed"
    reopened = staff_api.post(_url(order, "/reopen")).json()
    assert reopened == {"status": "open", "unread": 1, "closed_at": None}


def test_customers_cannot_close_the_conversation(order, customer, customer_api):
    _customer_writes(order, customer)
    assert customer_api.post(_url(order, "/close")).status_code == 403


# --- Search --------------------------------------------------------------------------


def test_search_answers_ranked_hits_with_snippets(order, customer, staff_api, store):
    _customer_writes(order, customer, "My voucher code fails. The voucher is new.")
    other = OrderFactory(store=store, customer=customer, status=OrderStatus.SHIPPED)
    _customer_writes(other, customer, "Thanks, I found the voucher")
    answer = staff_api.get("/api/admin/messages/search", {"q": "voucher", "limit": 1})
    assert answer.status_code == 200
    body = answer.json()
    assert body["has_more"] is True
    (hit,) = body["results"]
    assert hit["order_id"] == order.pk
    assert hit["order_number"] == "ORD-30001"
    assert hit["channel"] == "in_app"
    assert "<mark>voucher</mark>" in hit["snippet"]
    assert hit["created_at"]
    rest = staff_api.get(
        "/api/admin/messages/search", {"q": "voucher", "offset": 1}
    ).json()
    assert [r["order_id"] for r in rest["results"]] == [other.pk]
    shipped = staff_api.get(
        "/api/admin/messages/search", {"q": "voucher", "order_status": "shipped"}
    ).json()
    assert [r["order_id"] for r in shipped["results"]] == [other.pk]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"status": "done"}, "status"),
        ({"unread": "perhaps"}, "unread"),
        ({"order_status": "lost"}, "order_status"),
        ({"channel": "fax"}, "channel"),
        ({"store": "x"}, "store"),
        ({"date_from": "01/02/2026"}, "date_from"),
        ({"date_from": "2026-02-02", "date_to": "2026-02-01"}, "date_to"),
        ({"limit": "0"}, "limit"),
        ({"limit": "many"}, "limit"),
        ({"offset": "-1"}, "offset"),
    ],
)
def test_bad_search_filters_answer_400_naming_the_field(staff_api, params, field):
    answer = staff_api.get("/api/admin/messages/search", params)
    assert answer.status_code == 400
    assert field in answer.json()["error"]["fields"]


# --- The unmatched inbox --------------------------------------------------------------


def test_staff_list_and_link_unmatched_messages(order, merchant, staff_api):
    stray = services.message_receive(
        channel=Channel.EMAIL, sender="who@example.com", body="Did you get it?"
    )
    # Nothing tells whose `stray` is: superusers only. This one is the merchant's.
    mine = Message.objects.create(
        merchant=merchant,
        channel=Channel.SMS,
        direction=Message.Direction.INBOUND,
        sender="+46700000000",
        body="Hello?",
    )
    listed = staff_api.get("/api/messages/unmatched").json()
    assert [m["id"] for m in listed["messages"]] == [mine.pk]
    assert listed["messages"][0]["order_id"] is None
    linked = staff_api.post(
        f"/api/messages/unmatched/{mine.pk}/link", {"order_id": order.pk}
    )
    assert linked.status_code == 200
    assert linked.json()["order_id"] == order.pk
    assert staff_api.get("/api/messages/unmatched").json()["messages"] == []
    assert (
        staff_api.post(
            f"/api/messages/unmatched/{mine.pk}/link", {"order_id": order.pk}
        ).status_code
        == 404
    )
    assert (
        staff_api.post(
            f"/api/messages/unmatched/{stray.pk}/link", {"order_id": order.pk}
        ).status_code
        == 404
    )


def test_linking_needs_an_order_id(merchant, staff_api):
    mine = Message.objects.create(
        merchant=merchant,
        channel=Channel.SMS,
        direction=Message.Direction.INBOUND,
        body="Hello?",
    )
    answer = staff_api.post(f"/api/messages/unmatched/{mine.pk}/link", {})
    assert answer.status_code == 400
    assert "order_id" in answer.json()["error"]["fields"]


# --- The schema ------------------------------------------------------------------------


def test_the_endpoints_are_in_the_openapi_schema(db):
    schema = SchemaGenerator().get_schema(request=None, public=True)
    paths = schema["paths"]
    for path, method in [
        ("/api/orders/{id}/messages", "get"),
        ("/api/orders/{id}/messages", "post"),
        ("/api/orders/{id}/messages/{message_id}/read", "patch"),
        ("/api/orders/{id}/messages/close", "post"),
        ("/api/orders/{id}/messages/reopen", "post"),
        ("/api/admin/messages/search", "get"),
        ("/api/messages/unmatched", "get"),
        ("/api/messages/unmatched/{message_id}/link", "post"),
        ("/api/messages/unread", "get"),
        ("/api/messages/metrics", "get"),
    ]:
        assert method in paths[path], (path, method)


def test_unread_counts_past_the_listing_limit_still_total_everything(
    order, store, customer, staff_api, monkeypatch
):
    """Beyond LIMIT conversations the list is cut, the total is not."""
    from messaging.api import UnreadCountsApi

    monkeypatch.setattr(UnreadCountsApi, "LIMIT", 1)
    other = OrderFactory(store=store, customer=customer)
    _customer_writes(order, customer, "One")
    _customer_writes(order, customer, "Two")
    _customer_writes(other, customer, "Three")
    body = staff_api.get("/api/messages/unread").json()
    assert body["truncated"] is True
    assert body["total"] == 3
    assert [thread["order_id"] for thread in body["threads"]] == [other.pk]
