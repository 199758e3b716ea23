"""The home dashboard (`/`) against a hand-built merchant, on 10 March 2026 at
13:00 in Stockholm (12:00 UTC). "Today" is Stockholm's; the 30 days are 9 February
to 10 March.

Orders of Nordic Goods (EUR unless said):
  A  today 09:00        150.00   pending, not booked               needs action
  B  today 10:00        200 SEK  shipped, courier exception        needs action
  C  9 Mar 23:30 UTC    999.00   cancelled (00:30 today in Stockholm: today)
  D  1 Mar              50.00    delivered, flagged for review     needs action
  E  15 Jan             60.00    pending, not booked (before the 30 days), an
                                 invoice from 20 January: overdue
  F  8 Feb 23:30 UTC    10.00    confirmed service order (9 Feb in Stockholm)
Parcels (booked here, "Sandbox Post"):
  D  booked 1 Mar 10:00, delivered 3 Mar 10:00, promised 3 Mar: on time, 48 h
  F  booked 2 Mar 12:00, delivered 6 Mar 12:00, promised 4 Mar: delayed, 96 h
  A' booked 9 Mar 10:00, delivered today 10:00, promised 11 Mar: early, 24 h
  B  exception, on its way; F' in transit, stuck
Conversations: A's first message today 09:00, answered 09:30 (30 min); D's on
2 March 10:00, answered 12:00 (2 h); F's today 11:00, unanswered and unread.
Another merchant's order, parcel, conversation and overdue invoice are never
counted.
"""

import datetime as dt
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from invoices.services import invoice_issue_for_order
from messaging import services as messaging
from messaging.models import Message
from orders.models import Membership
from performile import redis_guard
from tests.factories import CustomerFactory, MembershipFactory, UserFactory
from tests.invoices import conftest as billing
from tests.shipments.factories import CourierAccountFactory, ShipmentFactory

profile = billing.profile
make_order = billing.make_order


def at(*args):
    return time_machine.travel(dt.datetime(*args, tzinfo=dt.UTC), tick=False)


def when(day, hour, minute=0, month=3):
    return dt.datetime(2026, month, day, hour, minute, tzinfo=dt.UTC)


@pytest.fixture
def shop(store, staff_user, profile):
    """Nordic Goods' orders, parcels, conversations and invoices (the module's
    docstring)."""
    merchant = store.merchant
    people = {
        name: CustomerFactory(merchant=merchant, email=f"{name}@example.com")
        for name in ("ada", "dag", "fia", "eva")
    }
    with at(2026, 1, 15, 9):
        e = make_order(
            store, people["eva"], lines=((3, "20.00"),), placed_at=when(15, 9, month=1)
        )
    with at(2026, 1, 20, 9):
        invoice_issue_for_order(order=e, issue_date=dt.date(2026, 1, 20))
    with at(2026, 3, 10, 12):
        a = make_order(
            store,
            people["ada"],
            lines=((1, "150.00"),),
            order_number="A-1",
            placed_at=when(10, 8),
        )
        b = make_order(
            store,
            lines=((1, "200.00"),),
            currency="SEK",
            status="shipped",
            tracking_number="SBXB",
            tracking_status="exception",
            placed_at=when(10, 9),
        )
        make_order(
            store, lines=((1, "999.00"),), status="cancelled", placed_at=when(9, 23, 30)
        )
        d = make_order(
            store,
            people["dag"],
            lines=((1, "50.00"),),
            order_number="D-1",
            status="delivered",
            tracking_number="SBXD",
            tracking_status="delivered",
            review_reason="Duplicate number",
            placed_at=when(1, 10),
        )
        f = make_order(
            store,
            people["fia"],
            lines=((1, "10.00"),),
            order_number="F-1",
            status="confirmed",
            service="Consulting",
            placed_at=when(8, 23, 30, month=2),
        )
    account = CourierAccountFactory(merchant=merchant, name="Sandbox Post")

    # (order, number, booked, delivered, promised day)
    delivered = [
        (d, "SBXD", when(1, 10), when(3, 10), 3),
        (f, "SBXF", when(2, 12), when(6, 12), 4),
        (a, "SBXA", when(9, 10), when(10, 10), 11),
    ]
    for order, number, booked, arrived, promised in delivered:
        ShipmentFactory(
            order=order,
            account=account,
            tracking_number=number,
            status="delivered",
            created_at=booked,
            delivered_at=arrived,
            promised_delivery=dt.date(2026, 3, promised),
        )
    ShipmentFactory(
        order=b, account=account, tracking_number="SBXB", status="exception"
    )
    ShipmentFactory(
        order=f,
        account=account,
        tracking_number="SBXF2",
        status="in_transit",
        stuck=True,
    )

    def conversation(order, customer, asked, answered=None):
        with at(*asked):
            messaging.message_receive(
                channel=Message.Channel.EMAIL,
                sender=customer.email,
                subject=order.order_number,
                body="Can I change the colour of my order?",
            )
        if answered:
            with at(*answered):
                messaging.message_reply(order=order, actor=staff_user, body="On it")

    conversation(a, people["ada"], (2026, 3, 10, 9), (2026, 3, 10, 9, 30))
    conversation(d, people["dag"], (2026, 3, 2, 10), (2026, 3, 2, 12))
    conversation(f, people["fia"], (2026, 3, 10, 11))
    return {"a": a, "b": b, "d": d, "e": e, "f": f}


@pytest.fixture
def stranger(other_store, other_merchant_staff):
    """Another merchant's order today with a parcel in trouble, an unread
    conversation and an overdue invoice."""
    from invoices.services import billing_profile

    billing_profile(other_store.merchant)
    buyer = CustomerFactory(merchant=other_store.merchant, email="olga@example.com")
    with at(2026, 1, 5, 9):
        old = make_order(
            other_store, buyer, order_number="X-2", placed_at=when(5, 9, month=1)
        )
        invoice_issue_for_order(order=old, issue_date=dt.date(2026, 1, 5))
    with at(2026, 3, 10, 10):
        order = make_order(
            other_store,
            buyer,
            lines=((1, "500.00"),),
            order_number="X-1",
            status="shipped",
            tracking_number="SBXX",
            tracking_status="exception",
            placed_at=when(10, 10),
        )
        messaging.message_receive(
            channel=Message.Channel.EMAIL,
            sender=buyer.email,
            subject="X-1",
            body="Hello?",
        )
    ShipmentFactory(
        order=order,
        tracking_number="SBXX",
        status="exception",
        stuck=True,
        created_at=when(10, 10),
    )
    return order


def page(client, user):
    client.force_login(user)
    with at(2026, 3, 10, 12):
        response = client.get("/")
    assert response.status_code == 200
    return response


def query(url):
    parts = urlsplit(url)
    return parts.path, parse_qs(parts.query, keep_blank_values=True)


def test_the_numbers_and_their_links(client, staff_user, shop, stranger):
    board = page(client, staff_user).context["board"]

    assert board.today == dt.date(2026, 3, 10)
    assert board.since == dt.date(2026, 2, 9)
    assert board.zone == "Europe/Stockholm"

    # Orders: C is today in Stockholm (not in UTC), F is inside the 30 days.
    assert board.day.orders.value == 3
    assert board.month.orders.value == 5
    assert query(board.day.orders.url) == (
        "/orders/",
        {
            "state": [""],
            "created_after": ["2026-03-10"],
            "created_before": ["2026-03-10"],
        },
    )
    assert query(board.month.orders.url)[1]["created_after"] == ["2026-02-09"]

    # Revenue per currency, cancelled orders left out.
    assert [(c, n.value) for c, n in board.day.revenue] == [
        ("EUR", Decimal("150.00")),
        ("SEK", Decimal("200.00")),
    ]
    assert [(c, n.value) for c, n in board.month.revenue] == [
        ("EUR", Decimal("210.00")),
        ("SEK", Decimal("200.00")),
    ]
    path, params = query(board.month.revenue[0][1].url)
    assert path == "/orders/"
    assert "cancelled" not in params["status"]
    assert "draft" not in params["status"]
    assert {"pending", "shipped", "delivered", "confirmed"} <= set(params["status"])

    # Needing action: A and E not booked, B's exception, D flagged. By the Orders
    # view's reasons: E's invoice of 20 January is unpaid for more than 14 days;
    # F's customer has waited 2 h, not yet the 3 h that counts.
    assert board.action_total.value == 4
    assert [(reason, n.value) for reason, n in board.action] == [
        ("No tracking", 2),
        ("Courier exception", 1),
        ("Unpaid 14 days", 1),
        ("Customer waiting 3 h", 0),
        ("Duplicate number", 1),
    ]
    assert query(board.action_total.url) == (
        "/orders/",
        {"state": [""], "needs_action": ["true"]},
    )
    assert [query(n.url) for _, n in board.action] == [
        ("/orders/", {"state": [""], "reason": [code]})
        for code in ("no_tracking", "exception", "unpaid", "waiting", "duplicate")
    ]

    # Parcels: B's exception, F's stuck parcel.
    assert board.exceptions.value == 1
    assert board.stuck.value == 1
    assert query(board.stuck.url) == (
        "/orders/",
        {"state": ["open"], "has_tracking": ["true"]},
    )

    # On time: today A' (early); in the 30 days D's, F's (late) and A'.
    assert board.day.on_time.value == 1
    assert board.month.on_time.value == pytest.approx(2 / 3)
    assert query(board.month.on_time.url) == (
        "/shipments/performance/",
        {"since": ["2026-02-09"], "until": ["2026-03-10"]},
    )

    # Conversations: F's is unread; first responses 30 min today, 30 min and 2 h
    # in the 30 days (median 1 h 15 min).
    assert board.unread.value == 1
    assert query(board.unread.url) == ("/messages/", {"unread": ["true"]})
    assert board.day.first_response.value == 1800
    assert board.month.first_response.value == 4500
    assert query(board.month.first_response.url) == (
        "/messages/metrics/",
        {"date_from": ["2026-02-09"], "date_to": ["2026-03-10"]},
    )

    # Overdue: E's invoice.
    assert board.overdue.value == 1
    assert board.overdue_amounts == [("EUR", 1, Decimal("60.00"))]
    assert query(board.overdue.url) == ("/invoices/", {"status": ["overdue"]})


def test_the_charts_data(client, staff_user, shop, stranger):
    charts = page(client, staff_user).context["board"].charts

    per_day = dict(
        zip(
            charts["orders_per_day"]["labels"],
            charts["orders_per_day"]["values"],
            strict=True,
        )
    )
    assert len(per_day) == 30
    assert per_day["10 Mar"] == 3
    assert per_day["1 Mar"] == 1
    assert per_day["9 Feb"] == 1
    assert sum(per_day.values()) == 5

    assert charts["delivery_times"]["values"] == [0, 1, 1, 0, 1, 0]
    assert charts["delivery_times"]["labels"][0] == "< 24 h"

    weekly = charts["on_time_weekly"]
    assert weekly["labels"][-1] == "Week of 9 Mar"
    (courier,) = weekly["series"]
    assert courier["label"] == "Sandbox Post"
    # Week of 2 March: D on time, F late; week of 9 March: A' early.
    assert courier["values"][-2:] == [50.0, 100.0]
    assert courier["values"][:-2] == [None] * 4

    response_chart = dict(
        zip(
            charts["first_response"]["labels"],
            charts["first_response"]["values"],
            strict=True,
        )
    )
    assert response_chart["10 Mar"] == 30.0
    assert response_chart["2 Mar"] == 120.0
    assert response_chart["3 Mar"] is None


def test_the_page_shows_each_number_as_a_link(client, staff_user, shop, stranger):
    html = page(client, staff_user).content.decode()
    assert 'data-stat="orders-today"' in html
    assert (
        'href="/orders/?state=&amp;created_after=2026-03-10&amp;created_before=2026-03-10"'
        in html
    )
    assert "€210.00" in html
    assert "200.00 SEK" in html
    assert "67%" in html
    assert "100%" in html
    assert "30 min" in html
    assert "1 h 15 min" in html
    assert "€60.00 outstanding" in html
    # The charts' data and the script that draws them.
    assert 'id="chart-orders" type="application/json"' in html
    assert "vendor/chartjs/chart.umd" in html
    assert "js/charts" in html


def test_the_query_count_does_not_grow_with_the_rows(client, staff_user, shop):
    client.force_login(staff_user)
    with at(2026, 3, 10, 12):
        client.get("/")
        with CaptureQueriesContext(connection) as few:
            client.get("/")
        for n in range(5):
            make_order(shop["a"].store, placed_at=when(10, 8, n), lines=((1, "5.00"),))
        with CaptureQueriesContext(connection) as more:
            client.get("/")
    assert len(more) == len(few)


# --- The closed days, kept ----------------------------------------------------------


@pytest.fixture(autouse=True)
def no_kept_figures():
    cache.clear()


def test_the_closed_days_are_kept_refreshed_in_the_background_and_today_is_live(
    client, staff_user, shop, eager_celery
):
    """An order placed yesterday after a view counts once the kept figures are ten
    minutes old and a view has had them computed again (in the background: that
    view still shows the kept ones); today's count at once."""
    client.force_login(staff_user)
    with at(2026, 3, 10, 12):
        first = client.get("/").context["board"]
        make_order(shop["a"].store, placed_at=when(9, 10), lines=((1, "5.00"),))
        make_order(shop["a"].store, placed_at=when(10, 11), lines=((1, "5.00"),))
    with at(2026, 3, 10, 12, 9):
        soon = client.get("/")
    with at(2026, 3, 10, 12, 10):
        stale = client.get("/").context["board"]
    with at(2026, 3, 10, 12, 11):
        fresh = client.get("/").context["board"]
    board = soon.context["board"]
    assert (board.day.orders.value, board.month.orders.value) == (
        first.day.orders.value + 1,
        first.month.orders.value + 1,
    )
    assert "are from <time" in soon.content.decode()
    assert stale.month.orders.value == first.month.orders.value + 1
    assert stale.history_stale
    assert fresh.month.orders.value == first.month.orders.value + 2
    assert not fresh.history_stale
    assert fresh.history_time == dt.datetime(2026, 3, 10, 12, 10, tzinfo=dt.UTC)
    assert fresh.charts["orders_per_day"]["values"][-2] == (
        first.charts["orders_per_day"]["values"][-2] + 1
    )


def test_when_no_refresh_comes_a_view_an_hour_later_computes_them(
    client, staff_user, shop
):
    """No worker takes the refresh (tasks are queued, never run): the kept figures
    are shown for up to an hour, then a view computes them while it waits."""
    client.force_login(staff_user)
    with at(2026, 3, 10, 12):
        first = client.get("/").context["board"]
        make_order(shop["a"].store, placed_at=when(9, 10), lines=((1, "5.00"),))
    with at(2026, 3, 10, 12, 30):
        waiting = client.get("/").context["board"]
    with at(2026, 3, 10, 13):
        computed = client.get("/").context["board"]
    assert waiting.month.orders.value == first.month.orders.value
    assert computed.month.orders.value == first.month.orders.value + 1
    assert computed.history_time == dt.datetime(2026, 3, 10, 13, tzinfo=dt.UTC)


def test_without_the_cache_every_figure_is_read_live(client, staff_user, shop):
    kept = page(client, staff_user).context["board"]
    redis_guard.cache.trip(ConnectionError("Redis is away"))
    try:
        live = page(client, staff_user).context["board"]
    finally:
        redis_guard.cache.reset()
    assert (live.month.orders.value, live.month.first_response.value) == (
        kept.month.orders.value,
        kept.month.first_response.value,
    )
    assert live.charts == kept.charts


# --- Who gets it --------------------------------------------------------------------


def test_another_merchants_staff_see_only_their_own(
    client, other_merchant_staff, shop, stranger
):
    board = page(client, other_merchant_staff).context["board"]
    assert board.day.orders.value == 1
    assert [(c, n.value) for c, n in board.day.revenue] == [("EUR", Decimal("500.00"))]
    assert board.action_total.value == 2  # X-1's exception, X-2 not booked
    assert board.exceptions.value == 1
    assert board.stuck.value == 1
    assert board.unread.value == 1
    assert board.overdue.value == 1
    assert board.day.on_time.value is None
    assert board.charts["delivery_times"]["values"] == [0] * 6


def test_a_supplier_sees_no_conversations_or_invoices(client, merchant, shop):
    supplier = UserFactory(username="supplier")
    MembershipFactory(user=supplier, merchant=merchant, role=Membership.Role.SUPPLIER)
    board = page(client, supplier).context["board"]
    assert board.day.orders.value == 0  # nothing assigned to them
    assert board.unread is None
    assert board.overdue is None
    assert board.day.first_response is None


def test_a_customer_goes_to_the_portal(client, customer):
    client.force_login(customer.user)
    response = client.get("/")
    assert response.status_code == 302
    assert response.url == "/portal/"


def test_a_signed_out_visitor_goes_to_sign_in(client, db):
    response = client.get("/")
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


def test_an_account_with_no_team_does_not_get_the_dashboard(client, db):
    client.force_login(UserFactory(username="nobody"))
    response = client.get("/")
    assert response.status_code == 302
    assert response.url == "/orders/"


def test_only_get(client, staff_user):
    client.force_login(staff_user)
    assert client.post("/").status_code == 405
