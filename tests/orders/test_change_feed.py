"""The change feed, GET /api/orders/changes?since=<cursor>: every change of an order
the user may see, once, oldest first, resumable from any cursor it handed out.

The feed only shows committed transactions, so these tests commit for real.
"""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, transaction
from rest_framework.test import APIClient

from orders import services
from orders.state_machine import OrderStatus
from tests.factories import CustomerFactory, OrderFactory

pytestmark = pytest.mark.django_db(transaction=True)

URL = "/api/orders/changes"
WAIT = 10  # seconds a thread waits for the other before the test fails


@pytest.fixture
def feed_as():
    """feed_as(user)(since=None, limit=None): the API's answer as that user."""

    def as_user(user):
        client = APIClient()
        client.force_authenticate(user)

        def read(since=None, limit=None, *, expect=200):
            params = {}
            if since is not None:
                params["since"] = since
            if limit is not None:
                params["limit"] = limit
            response = client.get(URL, params)
            assert response.status_code == expect, response.content
            return response.json()

        return read

    return as_user


def note(order, text: str) -> int:
    """One change of the order in its own committed transaction; its event id."""
    return services.order_log(order=order, note=text).pk


def event_ids(page: dict) -> list[int]:
    return [int(change["cursor"].split(".")[1]) for change in page["changes"]]


def cursor_key(cursor: str) -> tuple[int, int]:
    txid, event_id = cursor.split(".")
    return int(txid), int(event_id)


def test_changes_come_oldest_first_across_orders(feed_as, store, staff_user):
    read = feed_as(staff_user)
    first, second = OrderFactory(store=store), OrderFactory(store=store)
    start = read()["next"]

    written = [
        note(first, "one"),
        note(second, "two"),
        note(first, "three"),
        services.order_change_status(order=second, to=OrderStatus.CONFIRMED)
        .events.latest("id")
        .pk,
    ]

    page = read(since=start)
    assert event_ids(page) == written
    assert [change["order_id"] for change in page["changes"]] == [
        first.pk,
        second.pk,
        first.pk,
        second.pk,
    ]
    assert [change["kind"] for change in page["changes"]] == [
        "note",
        "note",
        "note",
        "status_changed",
    ]
    cursors = [cursor_key(change["cursor"]) for change in page["changes"]]
    assert cursors == sorted(cursors)
    states = {state["id"]: state for state in page["orders"]}
    assert set(states) == {first.pk, second.pk}
    assert states[second.pk]["status"] == OrderStatus.CONFIRMED
    assert page["has_more"] is False


def test_a_cursor_resumes_right_after_the_last_change_seen(feed_as, store, staff_user):
    read = feed_as(staff_user)
    order = OrderFactory(store=store)
    start = read()["next"]
    written = [note(order, f"change {n}") for n in range(5)]

    pages = []
    since = start
    while True:
        page = read(since=since, limit=2)
        pages.append(page)
        since = page["next"]
        if not page["has_more"]:
            break

    assert [event_ids(page) for page in pages] == [
        written[:2],
        written[2:4],
        written[4:],
    ]
    assert [page["has_more"] for page in pages] == [True, True, False]
    assert pages[0]["next"] == pages[0]["changes"][-1]["cursor"]
    assert read(since=since)["changes"] == []

    later = note(order, "after the last page")
    assert event_ids(read(since=since)) == [later]


def test_a_transaction_that_commits_late_is_still_delivered(feed_as, store, staff_user):
    """A transaction that began before others but commits after a client has read
    their changes is not skipped: the client gets it on its next read."""
    read = feed_as(staff_user)
    early, late = OrderFactory(store=store), OrderFactory(store=store)
    start = read()["next"]
    written, release = threading.Event(), threading.Event()

    def long_transaction() -> int:
        try:
            with transaction.atomic():
                event_id = note(early, "written first, committed last")
                written.set()
                if not release.wait(WAIT):
                    raise TimeoutError("the test never released the transaction")
            return event_id
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=1) as pool:
        pending = pool.submit(long_transaction)
        assert written.wait(WAIT)
        committed = note(late, "written second, committed first")

        first_read = read(since=start)
        release.set()
        held_back = pending.result(timeout=WAIT)

    second_read = read(since=first_read["next"])
    delivered = event_ids(first_read) + event_ids(second_read)
    assert sorted(delivered) == sorted([held_back, committed])
    assert held_back in event_ids(second_read)
    # How the feed manages it: nothing after a running transaction is handed out.
    assert first_read["changes"] == []
    assert event_ids(second_read) == [held_back, committed]
    assert read(since=second_read["next"])["changes"] == []


def test_another_merchants_changes_never_appear(
    feed_as, store, staff_user, other_store, other_merchant_staff
):
    read, read_theirs = feed_as(staff_user), feed_as(other_merchant_staff)
    ours, theirs = OrderFactory(store=store), OrderFactory(store=other_store)
    start, their_start = read()["next"], read_theirs()["next"]

    their_change = note(theirs, "theirs")
    our_change = note(ours, "ours")

    page = read(since=start)
    assert event_ids(page) == [our_change]
    assert [state["id"] for state in page["orders"]] == [ours.pk]
    assert event_ids(read_theirs(since=their_start)) == [their_change]


def test_a_deleted_order_appears_as_deleted(feed_as, store, staff_user):
    read = feed_as(staff_user)
    order = OrderFactory(store=store)
    start = read()["next"]

    services.order_delete(order=order, actor=staff_user, reason="Duplicate")

    page = read(since=start)
    assert [change["kind"] for change in page["changes"]] == ["deleted"]
    assert page["orders"] == [
        {"id": order.pk, "order_number": order.order_number, "deleted": True}
    ]


@pytest.mark.parametrize(
    "since",
    ["abc", "12", "1.2.3", "-1.5", "1.-5", "1.x", "1,2", "99999999999999999999.1"],
)
def test_a_malformed_cursor_is_refused(feed_as, staff_user, since):
    answer = feed_as(staff_user)(since=since, expect=400)
    assert answer["error"]["message"] == "The cursor is not one this feed handed out."
    assert "since" in answer["error"]["fields"]


@pytest.mark.parametrize("limit", ["x", "1.5", "0", "-3", "501"])
def test_a_malformed_limit_is_refused(feed_as, staff_user, limit):
    read = feed_as(staff_user)
    answer = read(since=read()["next"], limit=limit, expect=400)
    assert answer["error"]["message"].startswith("limit must be")
    assert "limit" in answer["error"]["fields"]


def test_without_since_there_are_no_changes_and_a_cursor_to_start_from(
    feed_as, store, staff_user
):
    read = feed_as(staff_user)
    order = OrderFactory(store=store)
    note(order, "before the page was rendered")

    start = read()
    assert start == {
        "changes": [],
        "orders": [],
        "next": start["next"],
        "has_more": False,
    }

    after = note(order, "after")
    assert event_ids(read(since=start["next"])) == [after]


def test_customers_read_their_own_changes_only(feed_as, store, customer):
    read = feed_as(customer.user)
    someone_else = CustomerFactory(merchant=store.merchant)
    own = OrderFactory(store=store, customer=customer)
    theirs = OrderFactory(store=store, customer=someone_else)
    start = read()["next"]

    note(theirs, "theirs")
    own_change = note(own, "own")

    page = read(since=start)
    assert event_ids(page) == [own_change]
    assert [state["id"] for state in page["orders"]] == [own.pk]


def test_the_feed_needs_a_signed_in_user(api_client):
    response = api_client.get(URL)
    assert response.status_code in (401, 403)
