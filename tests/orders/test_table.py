"""The Orders table (docs/orders-view.md): sorting, counts, the payment and item
columns, the reasons an order needs action, saved views, bulk status changes, the
CSV export, and the status palette."""

import csv
import io
import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from invoices.models import Payment
from invoices.services import invoice_issue_for_order, payment_record
from messaging.models import Thread
from orders import live, table
from orders.models import Order, SavedView
from orders.models.orders import STATUS_TONES
from orders.state_machine import OrderStatus
from tests.factories import CustomerFactory, OrderFactory, OrderLineFactory, UserFactory
from tests.invoices.conftest import make_order, profile  # noqa: F401

S = OrderStatus
LIST = reverse("orders:list")
EXPORT = reverse("orders:export")
BULK = reverse("orders:bulk-status")
TABLE = {"HX-Request": "true", "HX-Target": "orders-table"}
ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client


def shown(response) -> list[str]:
    return [order.order_number for order in response.context["page"].rows]


def said(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


# --- Sorting and counts ----------------------------------------------------------


@pytest.fixture
def sortable(store, merchant):
    """Three open orders that sort differently by each column."""
    anna = CustomerFactory(merchant=merchant, name="Anna")
    cleo = CustomerFactory(merchant=merchant, name="Cleo")
    bo = CustomerFactory(merchant=merchant, name="Bo")
    day = datetime(2026, 3, 1, 12, tzinfo=UTC)
    OrderFactory(
        store=store,
        order_number="N-2",
        customer=cleo,
        amount=Decimal("5.00"),
        status=S.CONFIRMED,
        placed_at=day,
    )
    OrderFactory(
        store=store,
        order_number="N-3",
        customer=anna,
        amount=Decimal("900.00"),
        status=S.PENDING,
        placed_at=day - timedelta(days=2),
    )
    OrderFactory(
        store=store,
        order_number="N-1",
        customer=bo,
        amount=Decimal("40.00"),
        status=S.PAYMENT_VERIFIED,
        placed_at=day + timedelta(days=1),
    )


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("", ["N-1", "N-3", "N-2"]),  # newest first, by id
        ("number", ["N-1", "N-2", "N-3"]),
        ("-number", ["N-3", "N-2", "N-1"]),
        ("date", ["N-3", "N-2", "N-1"]),
        ("-date", ["N-1", "N-2", "N-3"]),
        ("customer", ["N-3", "N-1", "N-2"]),
        ("total", ["N-2", "N-1", "N-3"]),
        ("-total", ["N-3", "N-1", "N-2"]),
        ("status", ["N-3", "N-1", "N-2"]),  # pending, payment verified, confirmed
    ],
    ids=[
        "default",
        "number",
        "number-desc",
        "date",
        "date-desc",
        "customer",
        "total",
        "total-desc",
        "status",
    ],
)
def test_sort_by_each_column(staff_client, sortable, sort, expected):
    response = staff_client.get(LIST, {"sort": sort} if sort else {})
    assert response.status_code == 200
    assert shown(response) == expected


def test_sort_is_kept_in_links_and_the_filter_form(staff_client, sortable):
    body = staff_client.get(LIST, {"sort": "total", "status": S.PENDING}).content
    html = body.decode()
    # The column header offers the other direction and keeps the filters.
    assert re.search(r'href="\?[^"]*sort=-total[^"]*"', html)
    assert "status=pending" in re.search(r'href="(\?[^"]*sort=-total[^"]*)"', html)[1]
    assert '<option value="total" selected>' in html


def test_an_unknown_sort_is_ignored_in_the_page_and_refused_by_the_api(
    staff_client, staff_api, sortable
):
    page = staff_client.get(LIST, {"sort": "password"})
    assert page.status_code == 200
    assert shown(page) == ["N-1", "N-3", "N-2"]

    api = staff_api.get("/api/orders/", {"sort": "password"})
    assert api.status_code == 400
    assert "sort" in api.json()["error"]["fields"]


def test_the_api_sorts_too(staff_api, sortable):
    response = staff_api.get("/api/orders/", {"sort": "-total"})
    assert response.status_code == 200
    numbers = [row["order_number"] for row in response.json()["results"]]
    assert numbers == ["N-3", "N-1", "N-2"]


def test_count_says_which_rows_of_how_many(staff_client, store):
    for n in range(30):
        OrderFactory(store=store, order_number=f"C-{n:03d}")
    OrderFactory(store=store, order_number="C-DONE", status=S.DELIVERED)

    first = staff_client.get(LIST)
    second = staff_client.get(LIST, {"before": first.context["page"].older})
    sorted_second = staff_client.get(LIST, {"sort": "number", "page": "2"})

    assert "1–25</strong> of <strong>30</strong> open orders" in first.content.decode()
    assert "26–30</strong> of <strong>30</strong>" in second.content.decode()
    assert shown(sorted_second) == [f"C-{n:03d}" for n in range(25, 30)]
    assert "26–30</strong> of <strong>30</strong>" in sorted_second.content.decode()
    everything = staff_client.get(LIST, {"state": ""}).content.decode()
    assert "of <strong>31</strong> orders" in everything


def test_count_stops_at_the_cap(store):
    for _ in range(4):
        OrderFactory(store=store)
    assert table.capped_count(Order.objects.all(), cap=3) == table.Count(3, True)
    assert table.capped_count(Order.objects.all(), cap=4) == table.Count(4, False)


def test_the_default_view_says_what_it_hides_and_offers_all(staff_client, store):
    OrderFactory(store=store, order_number="OPEN-1")
    OrderFactory(store=store, order_number="GONE-1", status=S.DELIVERED)

    html = staff_client.get(LIST).content.decode()

    assert "Open orders only: delivered, complete and cancelled" in html
    assert 'href="?state="' in html  # "Show all orders"
    assert 'data-view="All orders"' in html
    assert "GONE-1" in staff_client.get(LIST, {"state": ""}).content.decode()


# --- Columns ---------------------------------------------------------------------------


def test_payment_items_and_total_columns(staff_client, store, staff_user, profile):  # noqa: F811
    today = timezone.localdate()
    buyer = CustomerFactory(merchant=store.merchant)
    unpaid = make_order(store, buyer, order_number="PAY-UNPAID")  # 50.00, 3 items
    paid = make_order(store, buyer, order_number="PAY-PAID")
    partly = make_order(store, buyer, order_number="PAY-PARTLY")
    overdue = make_order(store, buyer, order_number="PAY-OVERDUE")
    make_order(store, buyer, order_number="PAY-NONE")
    invoice_issue_for_order(order=unpaid, actor=staff_user)
    for order, amount in ((paid, "50.00"), (partly, "20.00")):
        invoice = invoice_issue_for_order(order=order, actor=staff_user)
        payment_record(
            merchant=invoice.merchant,
            invoice=invoice,
            amount=Decimal(amount),
            currency=invoice.currency,
            method=Payment.Method.BANK_TRANSFER,
            actor=staff_user,
        )
    invoice_issue_for_order(
        order=overdue, actor=staff_user, issue_date=today - timedelta(days=40)
    )

    response = staff_client.get(LIST)
    rows = {order.order_number: order for order in response.context["page"].rows}

    assert {number: rows[number].payment_state for number in rows} == {
        "PAY-UNPAID": "unpaid",
        "PAY-PAID": "paid",
        "PAY-PARTLY": "partly_paid",
        "PAY-OVERDUE": "overdue",
        "PAY-NONE": None,
    }
    assert rows["PAY-PAID"].item_count == 3
    html = response.content.decode()
    assert "data-payment>Partly paid</span>" in html
    assert "€50.00" in html

    def numbers(payment):
        return set(shown(staff_client.get(LIST, {"payment": payment})))

    assert numbers("paid") == {"PAY-PAID"}
    assert numbers("overdue") == {"PAY-OVERDUE"}
    assert numbers("outstanding") == {"PAY-UNPAID", "PAY-PARTLY", "PAY-OVERDUE"}
    assert numbers("none") == {"PAY-NONE"}


def test_the_page_costs_the_same_queries_for_more_rows(staff_client, store):
    """The columns are subqueries of the page's statement, not a query per row."""

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert staff_client.get(LIST).status_code == 200
        return len(captured)

    OrderLineFactory(order=OrderFactory(store=store))
    few = queries()
    for _ in range(10):
        OrderLineFactory(order=OrderFactory(store=store))
    assert queries() == few


# --- Reasons ---------------------------------------------------------------------------


@pytest.fixture
def troubled(store, staff_user, profile):  # noqa: F811
    """One order for each reason, and one that is fine."""
    now = timezone.now()
    make_order(store, order_number="R-BOOK", status=S.CONFIRMED)
    make_order(
        store,
        order_number="R-EXCEPTION",
        status=S.SHIPPED,
        tracking_number="TRK-1",
        tracking_status="exception",
    )
    unpaid = make_order(
        store,
        CustomerFactory(merchant=store.merchant),
        order_number="R-UNPAID",
        status=S.SHIPPED,
        tracking_number="TRK-2",
    )
    merchant_today = timezone.localdate(timezone=store.merchant.zone)
    invoice_issue_for_order(
        order=unpaid, actor=staff_user, issue_date=merchant_today - timedelta(20)
    )
    waiting = make_order(
        store, order_number="R-WAITING", status=S.SHIPPED, tracking_number="TRK-3"
    )
    Thread.objects.create(
        order=waiting,
        merchant=waiting.merchant,
        store=store,
        awaiting_reply_since=now - timedelta(hours=5),
    )
    make_order(
        store,
        order_number="R-DUPLICATE",
        status=S.SHIPPED,
        tracking_number="TRK-4",
        review_reason="Order number #1001 was already taken in this store.",
    )
    fine = make_order(
        store, order_number="R-FINE", status=S.SHIPPED, tracking_number="TRK-5"
    )
    Thread.objects.create(  # answered an hour ago: not waiting long enough
        order=fine,
        merchant=fine.merchant,
        store=store,
        awaiting_reply_since=now - timedelta(hours=1),
    )


@pytest.mark.parametrize(
    ("reason", "number", "text"),
    [
        ("no_tracking", "R-BOOK", "No tracking"),
        ("exception", "R-EXCEPTION", "Courier exception"),
        ("unpaid", "R-UNPAID", "Unpaid 20 days"),
        ("waiting", "R-WAITING", "Customer waiting 5 h"),
        ("duplicate", "R-DUPLICATE", "Duplicate number"),
    ],
    ids=["no_tracking", "exception", "unpaid", "waiting", "duplicate"],
)
def test_each_reason_shows_on_its_row_and_has_a_filter(
    staff_client, troubled, reason, number, text
):
    response = staff_client.get(LIST, {"reason": reason}, headers=TABLE)

    assert shown(response) == [number]
    row = re.search(
        rf'<tr id="order-\d+"[^>]*data-order-number="{number}".*?</tr>',
        response.content.decode(),
        re.S,
    )[0]
    assert f'data-reason="{reason}"' in row
    assert text in row


def test_a_live_update_keeps_every_reason_of_the_row(troubled):
    """The status cell a live update carries names the unpaid and waiting reasons
    too, as the page does (they come from the invoice and the conversation)."""
    numbers = ("R-UNPAID", "R-WAITING", "R-FINE")
    ids = Order.objects.filter(order_number__in=numbers).values_list("pk", flat=True)
    cells = {
        order.order_number: live.order_cells(order)["status"]
        for order in live.live_orders(list(ids))
    }
    assert 'data-reason="unpaid"' in cells["R-UNPAID"]
    assert "Unpaid 20 days" in cells["R-UNPAID"]
    assert "Customer waiting 5 h" in cells["R-WAITING"]
    assert "data-reason" not in cells["R-FINE"]


def test_an_order_without_reasons_shows_none(staff_client, troubled):
    row = next(
        order
        for order in staff_client.get(LIST).context["page"].rows
        if order.order_number == "R-FINE"
    )
    assert table.action_reasons(row) == []


def test_needs_action_keeps_its_meaning(staff_client, troubled):
    """The needs-action filter is still the order's own flags (no tracking, a parcel
    in trouble, a flag for staff); payment and messages have their reasons."""
    assert set(shown(staff_client.get(LIST, {"needs_action": "true"}))) == {
        "R-BOOK",
        "R-EXCEPTION",
        "R-DUPLICATE",
    }


def test_an_unknown_reason_is_explained(staff_client, troubled):
    response = staff_client.get(LIST, {"reason": "bored"})
    assert response.status_code == 400
    assert "Action needed: Select a valid choice" in response.content.decode()


# --- Saved views -------------------------------------------------------------------


def test_save_rename_and_delete_a_view(staff_client, staff_user, store):
    OrderFactory(store=store, order_number="V-1", status=S.CONFIRMED)
    created = staff_client.post(
        reverse("orders:view-create"),
        {"name": "Confirmed by total", "query": "status=confirmed&sort=-total&page=3"},
    )
    view = SavedView.objects.get(user=staff_user)
    assert view.query == "status=confirmed&sort=-total"
    assert created.url == f"{LIST}?status=confirmed&sort=-total"

    html = staff_client.get(created.url).content.decode()
    assert 'aria-current="page" data-view="Confirmed by total"' in html

    staff_client.post(
        reverse("orders:view-rename", args=[view.pk]), {"name": "Confirmed"}
    )
    view.refresh_from_db()
    assert view.name == "Confirmed"

    staff_client.post(reverse("orders:view-delete", args=[view.pk]))
    assert not SavedView.objects.filter(user=staff_user).exists()


def test_a_view_name_is_refused_when_taken(staff_client, staff_user):
    url = reverse("orders:view-create")
    staff_client.post(url, {"name": "Mine", "query": "status=pending"})
    again = staff_client.post(url, {"name": "Mine", "query": "status=shipped"})
    built_in = staff_client.post(url, {"name": "unpaid", "query": "status=shipped"})

    assert SavedView.objects.filter(user=staff_user).count() == 1
    assert "You already have a view called “Mine”." in said(again)
    assert "“unpaid” is a built-in view: choose another name." in said(built_in)


def test_another_users_view_is_not_found_nor_listed(client, staff_user, merchant):
    colleague = UserFactory()
    merchant.memberships.create(user=colleague, role="staff")
    theirs = SavedView.objects.create(user=colleague, name="Theirs", query="q=x")
    client.force_login(staff_user)

    assert "Theirs" not in client.get(LIST).content.decode()
    rename = reverse("orders:view-rename", args=[theirs.pk])
    delete = reverse("orders:view-delete", args=[theirs.pk])
    assert client.post(rename, {"name": "Stolen"}).status_code == 404
    assert client.post(delete).status_code == 404
    theirs.refresh_from_db()
    assert theirs.name == "Theirs"


@pytest.mark.parametrize(
    ("query", "normalized"),
    [
        ("state=open", ""),
        ("state=", "state="),
        ("sort=total&state=closed&before=9", "state=closed&sort=total"),
        ("q=+astrid+&status=&page=2", "q=astrid"),
    ],
    ids=["default", "all", "ordered-keys", "blanks"],
)
def test_a_view_is_its_normalized_query(query, normalized):
    from django.http import QueryDict

    from orders.saved_views import normalize

    assert normalize(QueryDict(query)) == normalized


# --- Bulk status change -----------------------------------------------------------


def test_bulk_status_change_moves_what_it_may_and_names_the_refusals(
    staff_client, store, other_store
):
    pending = OrderFactory(store=store, order_number="B-PENDING", status=S.PENDING)
    delivered = OrderFactory(
        store=store, order_number="B-DELIVERED", status=S.DELIVERED
    )
    theirs = OrderFactory(store=other_store, order_number="B-THEIRS", status=S.PENDING)

    response = staff_client.post(
        BULK,
        {
            "ids": [pending.pk, delivered.pk, theirs.pk],
            "status": S.CONFIRMED,
            "query": "state=",
        },
    )

    assert response.status_code == 302
    assert response.url == f"{LIST}?state="
    messages = said(response)
    assert "1 order moved to Confirmed: B-PENDING" in messages
    assert any(
        m.startswith("Order B-DELIVERED not changed: An order cannot go from Delivered")
        for m in messages
    )
    assert "1 order not found." in messages
    pending.refresh_from_db()
    delivered.refresh_from_db()
    theirs.refresh_from_db()
    assert (pending.status, delivered.status, theirs.status) == (
        S.CONFIRMED,
        S.DELIVERED,
        S.PENDING,
    )
    assert pending.events.filter(to_status=S.CONFIRMED).exists()


def test_bulk_status_change_needs_a_status(staff_client, store):
    order = OrderFactory(store=store, status=S.PENDING)
    response = staff_client.post(BULK, {"ids": [order.pk], "status": "teleported"})
    assert "Choose the status to move the orders to." in said(response)
    order.refresh_from_db()
    assert order.status == S.PENDING


# --- CSV export ------------------------------------------------------------------------


def read_csv(response) -> list[dict]:
    body = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(body)))


def test_export_is_the_filtered_list_as_csv(staff_client, store, other_store):
    customer = CustomerFactory(
        merchant=store.merchant, name="=HYPERLINK(1)", email="a@example.com"
    )
    mine = OrderFactory(
        store=store,
        order_number="E-1",
        customer=customer,
        status=S.SHIPPED,
        amount=Decimal("1234.50"),
        currency="SEK",
        tracking_number="TRK-9",
        tracking_status="in_transit",
        courier="PostNord",
        placed_at=datetime(2025, 11, 8, 23, 30, tzinfo=UTC),
    )
    OrderLineFactory(order=mine, quantity=3)
    OrderFactory(store=store, order_number="E-DONE", status=S.DELIVERED)
    OrderFactory(store=other_store, order_number="E-THEIRS", status=S.SHIPPED)

    response = staff_client.get(EXPORT, {"status": S.SHIPPED})

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="orders-')
    rows = read_csv(response)
    assert [row["Order number"] for row in rows] == ["E-1"]
    assert rows[0] == {
        "Order number": "E-1",
        "Placed at": "2025-11-09 00:30",  # in the merchant's zone (Stockholm)
        "Store": store.name,
        "Customer": "'=HYPERLINK(1)",  # not a formula in a spreadsheet
        "Customer email": "a@example.com",
        "Status": "Shipped",
        "Payment": "",
        "Parcel": "In transit",
        "Courier": "PostNord",
        "Tracking number": "TRK-9",
        "Items": "3",
        "Total": "1234.50",
        "Currency": "SEK",
        "Action needed": "",
    }
    everything = {row["Order number"] for row in read_csv(staff_client.get(EXPORT))}
    assert everything == {"E-1"}  # open orders, like the page; never another's
    all_states = read_csv(staff_client.get(EXPORT, {"state": ""}))
    assert {row["Order number"] for row in all_states} == {"E-1", "E-DONE"}


def test_export_with_bad_filters_is_400(staff_client):
    response = staff_client.get(EXPORT, {"created_after": "soon"})
    assert response.status_code == 400
    assert "From: Enter a valid date." in response.content.decode()


# --- The palette ---------------------------------------------------------------------


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [
        c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels
    ]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _contrast(one: str, other: str) -> float:
    light, dark = sorted((_luminance(one), _luminance(other)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_each_status_has_its_own_readable_colour():
    css = (ROOT / "static/css/app.css").read_text()
    colours = dict(re.findall(r"--([a-z]+-(?:bg|fg)):\s*(#[0-9a-f]{6})", css))

    assert set(STATUS_TONES) == set(S)
    assert len(set(STATUS_TONES.values())) == len(S)  # no two statuses alike
    tones = {*STATUS_TONES.values(), *table.Payment.TONES.values(), "red"}
    for tone in tones:
        assert re.search(rf"\.badge--{tone}\b", css), tone
        ratio = _contrast(colours[f"{tone}-bg"], colours[f"{tone}-fg"])
        assert ratio >= 4.5, (tone, ratio)
