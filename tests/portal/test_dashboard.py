from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from invoices.filters import balance_totals
from invoices.models import Payment
from invoices.services.issuing import invoice_issue_for_order
from invoices.services.payments import payment_record
from orders.models import OrderEvent
from orders.state_machine import OrderStatus
from orders.tracking import TrackingStatus
from portal import dashboard
from portal.selectors import portal_invoices
from tests.portal.test_orders import make_order, status_event, with_parcel

pytestmark = pytest.mark.django_db

S = OrderStatus


def html_of(portal) -> str:
    response = portal.get(reverse("portal:dashboard"))
    assert response.status_code == 200
    return response.content.decode()


def section(html: str, heading_id: str) -> str:
    start = html.index(f'id="{heading_id}"')
    end = html.find("</section>", start)
    return html[start:end]


def test_active_orders_with_live_status_progress_and_eta(
    portal, store, portal_customer
):
    make_order(
        store,
        portal_customer,
        order_number="ORD-MOVING",
        status=S.SHIPPED,
        tracking_number="T1",
        tracking_status=TrackingStatus.OUT_FOR_DELIVERY,
        # "in 2 days" counts from the shop's date, which differs from UTC's near midnight.
        estimated_delivery=timezone.localdate(timezone=store.merchant.zone)
        + timedelta(days=2),
    )
    make_order(store, portal_customer, order_number="ORD-HELD", status=S.ON_HOLD)
    make_order(store, portal_customer, order_number="ORD-DONE", status=S.DELIVERED)
    make_order(store, portal_customer, order_number="ORD-OVER", status=S.COMPLETE)
    make_order(store, portal_customer, order_number="ORD-STOP", status=S.CANCELLED)
    active = section(html_of(portal), "active-heading")
    assert "ORD-MOVING" in active
    assert "ORD-HELD" in active
    for final in ("ORD-DONE", "ORD-OVER", "ORD-STOP"):
        assert final not in active
    assert "Out for delivery" in active
    assert 'aria-label="Delivery progress: step 3 of 4"' in active
    assert "Arrives in 2 days" in active
    assert 'data-live-part="card"' in active


def test_recent_orders_are_the_last_five(portal, store, portal_customer):
    start = datetime(2026, 1, 1, tzinfo=UTC)
    for n in range(7):
        make_order(
            store,
            portal_customer,
            order_number=f"R-{n}",
            placed_at=start + timedelta(days=n),
            status=S.DELIVERED,
        )
    recent = section(html_of(portal), "recent-heading")
    assert [f"R-{n}" in recent for n in range(7)] == [False, False] + [True] * 5
    assert recent.index("R-6") < recent.index("R-2")


def test_notifications_in_customer_words_newest_first(store, portal_customer):
    base = timezone.now() - timedelta(days=1)
    order = make_order(store, portal_customer, order_number="ORD-1", status=S.SHIPPED)
    status_event(
        order, S.PENDING, S.CONFIRMED, base, note="internal: check stock first"
    )
    status_event(order, S.CONFIRMED, S.SHIPPED, base + timedelta(hours=1))
    OrderEvent.objects.create(
        order=order,
        kind=OrderEvent.Kind.TRACKING,
        data={"changed": {"tracking_number": ""}},
        created_at=base + timedelta(hours=2),
    )
    OrderEvent.objects.create(
        order=order,
        kind=OrderEvent.Kind.NOTE,
        note="Do not tell the customer",
        created_at=base + timedelta(hours=3),
    )
    with_parcel(
        order,
        (TrackingStatus.IN_TRANSIT, base + timedelta(hours=4), "Scan", "Solna"),
        (TrackingStatus.IN_TRANSIT, base + timedelta(hours=5), "Scan", "Malmö"),
        (TrackingStatus.OUT_FOR_DELIVERY, base + timedelta(hours=6), "Out", "Lund"),
    )
    items = dashboard.notifications(portal_customer.user)
    assert [item.text for item in items] == [
        "Your parcel is out for delivery.",
        "Your parcel is in transit.",
        "Tracking is available for your parcel.",
        "Your order is on its way.",
        "Your order is confirmed.",
    ]
    assert items[1].detail == "Malmö"  # the latest in-transit scan, once


def test_notifications_are_at_most_eight(portal, store, portal_customer):
    base = timezone.now() - timedelta(days=2)
    for n in range(6):
        order = make_order(store, portal_customer, status=S.CONFIRMED)
        status_event(order, S.PENDING, S.CONFIRMED, base + timedelta(minutes=n))
        status_event(
            order, S.CONFIRMED, S.ON_HOLD, base + timedelta(hours=1, minutes=n)
        )
    html = html_of(portal)
    assert section(html, "updates-heading").count('class="pnotification ') == 8


def test_notifications_only_of_the_customers_orders(
    store, portal_customer, other_portal_user
):
    theirs = make_order(store, other_portal_user.customer, status=S.CONFIRMED)
    status_event(theirs, S.PENDING, S.CONFIRMED, timezone.now())
    assert dashboard.notifications(portal_customer.user) == []


def test_account_summary_balances_overdue_and_payments(
    portal, store, merchant, portal_customer
):
    today = timezone.localdate()
    recent = make_order(
        store,
        portal_customer,
        status=S.CONFIRMED,
        lines=((1, "100"),),
        amount=Decimal("100"),
    )
    late = make_order(
        store,
        portal_customer,
        status=S.CONFIRMED,
        lines=((1, "40"),),
        amount=Decimal("40"),
    )
    paid = make_order(
        store,
        portal_customer,
        status=S.CONFIRMED,
        lines=((1, "25"),),
        amount=Decimal("25"),
    )
    invoice_issue_for_order(order=recent, issue_date=today)
    late_invoice = invoice_issue_for_order(
        order=late, issue_date=today - timedelta(days=90)
    )
    paid_invoice = invoice_issue_for_order(order=paid, issue_date=today)
    payment_record(
        merchant=merchant,
        amount=Decimal("25.00"),
        currency="EUR",
        method=Payment.Method.CARD,
        invoice=paid_invoice,
    )
    payment_record(
        merchant=merchant,
        amount=Decimal("10.00"),
        currency="EUR",
        method=Payment.Method.BANK_TRANSFER,
        invoice=late_invoice,
    )
    balances = balance_totals(portal_invoices(portal_customer.user))
    assert [
        (b["currency"], b["open_amount"], b["overdue_amount"]) for b in balances
    ] == [("EUR", Decimal("130.00"), Decimal("30.00"))]
    account = section(html_of(portal), "account-heading")
    assert "€130.00" in account
    assert "Overdue" in account
    assert "€30.00" in account
    assert "€25.00" in account
    assert "€10.00" in account


def test_quick_actions(portal, store, portal_customer):
    html = html_of(portal)
    assert f'href="{reverse("portal:orders")}?status=active"' in html
    assert f'href="{reverse("portal:messages")}"' in html
    assert 'title="No invoices yet"' in html
    order = make_order(store, portal_customer, status=S.CONFIRMED)
    invoice = invoice_issue_for_order(order=order, issue_date=timezone.localdate())
    html = html_of(portal)
    assert reverse("portal:invoices_pdf", args=[invoice.pk]) in html
    assert invoice.number in html


def test_empty_dashboard_says_what_happens(portal):
    html = html_of(portal)
    assert 'data-empty="active"' in html
    assert 'data-empty="recent"' in html
    assert 'data-empty="updates"' in html
    assert "Nothing outstanding" in html


def test_live_indicator_and_script(portal):
    html = html_of(portal)
    assert "data-portal-live" in html
    assert "js/portal-live.js" in html
    # what the staff Orders view shares with it, loaded first
    assert html.index("js/live-core.js") < html.index("js/portal-live.js")
    assert "data-live-status" in html
    assert reverse("api-order-changes") in html


def test_dashboard_queries_do_not_grow_with_orders(
    portal, store, portal_customer, django_assert_max_num_queries
):
    def add(count):
        for _ in range(count):
            order = make_order(
                store,
                portal_customer,
                status=S.SHIPPED,
                tracking_number="T",
                tracking_status=TrackingStatus.IN_TRANSIT,
                lines=((1, "1.00"), (2, "2.00")),
            )
            status_event(order, S.CONFIRMED, S.SHIPPED, timezone.now())
            with_parcel(order, (TrackingStatus.IN_TRANSIT, timezone.now(), "", "X"))

    add(3)
    with CaptureQueriesContext(connection) as three:
        html_of(portal)
    add(17)
    with django_assert_max_num_queries(len(three)):
        html = html_of(portal)
    assert section(html, "active-heading").count('data-live-part="card"') == 10
