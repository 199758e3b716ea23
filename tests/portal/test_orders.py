from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from orders.models import OrderEvent
from orders.state_machine import OrderStatus
from orders.tracking import TrackingStatus
from portal.order_timeline import order_timeline
from shipments.models import TrackingEvent
from tests.factories import OrderFactory, OrderLineFactory, UserFactory
from tests.shipments.factories import ShipmentFactory

pytestmark = pytest.mark.django_db

S = OrderStatus
NOW = "2026-06-01 12:00:00Z"


def make_order(store, customer, *, lines=((2, "10.00"),), **kwargs):
    order = OrderFactory(store=store, customer=customer, **kwargs)
    for quantity, price in lines:
        OrderLineFactory(
            order=order,
            title=f"Item at {price}",
            quantity=quantity,
            unit_price=Decimal(price),
        )
    return order


def status_event(order, from_status, to_status, at, **kwargs):
    return OrderEvent.objects.create(
        order=order,
        kind=OrderEvent.Kind.STATUS_CHANGED,
        from_status=from_status,
        to_status=to_status,
        created_at=at,
        **kwargs,
    )


def with_parcel(order, *scans, **shipment):
    """A shipment with tracking events (status, occurred_at, description, location)."""
    shipment = ShipmentFactory(order=order, **shipment)
    for index, (status, at, description, location) in enumerate(scans):
        TrackingEvent.objects.create(
            shipment=shipment,
            status=status,
            raw_code=f"code-{index}",
            occurred_at=at,
            description=description,
            location=location,
            source=TrackingEvent.Source.WEBHOOK,
        )
    return shipment


def page_of(response) -> str:
    return response.content.decode()


# --- the list ----------------------------------------------------------------


def test_list_shows_number_date_items_total_status(portal, store, portal_customer):
    make_order(
        store,
        portal_customer,
        order_number="ORD-777",
        lines=((2, "10.00"), (1, "5.00"), (3, "1.00")),
        amount=Decimal("28.00"),
        status=S.SHIPPED,
        tracking_number="TRK1",
        tracking_status=TrackingStatus.IN_TRANSIT,
        placed_at=datetime(2026, 3, 4, 10, 0, tzinfo=UTC),
    )
    response = portal.get(reverse("portal:orders"))
    html = page_of(response)
    assert response.status_code == 200
    assert "ORD-777" in html
    assert "4 Mar 2026" in html
    assert "2 × Item at 10.00, 1 × Item at 5.00 and 1 more" in html
    assert "€28.00" in html
    assert "In transit" in html
    assert 'aria-label="Delivery progress: step 2 of 4"' in html
    assert "data-portal-live" in html
    assert "/ws/orders/" in html


def test_list_search_by_order_number(portal, store, portal_customer):
    make_order(store, portal_customer, order_number="ORD-11111")
    make_order(store, portal_customer, order_number="ORD-22222")
    html = page_of(portal.get(reverse("portal:orders"), {"q": "1111"}))
    assert "ORD-11111" in html
    assert "ORD-22222" not in html


def test_list_date_range_is_in_the_merchants_days(portal, store, portal_customer):
    # 23:30 UTC on 31 March is 1 April in Stockholm (UTC+2).
    make_order(
        store,
        portal_customer,
        order_number="ORD-APRIL",
        placed_at=datetime(2026, 3, 31, 23, 30, tzinfo=UTC),
    )
    make_order(
        store,
        portal_customer,
        order_number="ORD-MARCH",
        placed_at=datetime(2026, 3, 31, 20, 0, tzinfo=UTC),
    )
    html = page_of(
        portal.get(
            reverse("portal:orders"),
            {"placed_from": "2026-04-01", "placed_to": "2026-04-30"},
        )
    )
    assert "ORD-APRIL" in html
    assert "ORD-MARCH" not in html


@pytest.mark.parametrize(
    ("choice", "shown"),
    [
        ("", {"P", "S", "D", "C", "H", "X"}),
        ("active", {"P", "S", "H"}),
        ("pending", {"P"}),
        ("shipped", {"S"}),
        ("delivered", {"D", "C"}),
        ("on_hold", {"H"}),
        ("cancelled", {"X"}),
    ],
)
def test_status_filter_maps_onto_the_state_machine(
    portal, store, portal_customer, choice, shown
):
    statuses = {
        "P": S.PENDING,
        "S": S.SHIPPED,
        "D": S.DELIVERED,
        "C": S.COMPLETE,
        "H": S.ON_HOLD,
        "X": S.CANCELLED,
    }
    for code, status in statuses.items():
        make_order(store, portal_customer, order_number=f"N-{code}", status=status)
    html = page_of(portal.get(reverse("portal:orders"), {"status": choice}))
    assert {code for code in statuses if f"N-{code}<" in html} == shown


def test_bad_filters_are_a_400_that_says_why(portal, store, portal_customer):
    make_order(store, portal_customer, order_number="ORD-1")
    response = portal.get(
        reverse("portal:orders"),
        {"placed_from": "2026-05-01", "placed_to": "2026-04-01"},
    )
    assert response.status_code == 400
    assert "The start date is after the end date." in page_of(response)
    response = portal.get(reverse("portal:orders"), {"status": "bogus"})
    assert response.status_code == 400


def test_pagination_keeps_the_filters(portal, store, portal_customer):
    for n in range(23):
        make_order(
            store, portal_customer, order_number=f"SHIP-{n:02d}", status=S.SHIPPED
        )
    make_order(store, portal_customer, order_number="PEND-1", status=S.PENDING)
    first = page_of(portal.get(reverse("portal:orders"), {"status": "shipped"}))
    assert first.count('class="porder-row"') == 20
    assert "23 orders" in first
    assert "Page 1 of 2" in first
    assert 'href="?status=shipped&amp;page=2"' in first
    second = page_of(
        portal.get(reverse("portal:orders"), {"status": "shipped", "page": 2})
    )
    assert second.count('class="porder-row"') == 3
    assert "PEND-1" not in second


def test_empty_states_say_what_to_do(portal, store, portal_customer):
    html = page_of(portal.get(reverse("portal:orders")))
    assert "No orders yet" in html
    assert reverse("portal:messages") in html
    make_order(store, portal_customer, order_number="ORD-1")
    html = page_of(portal.get(reverse("portal:orders"), {"q": "nope"}))
    assert "No orders match these filters" in html
    assert "Show all orders" in html


def test_the_visibility_windows_reach_the_list(portal, store, portal_customer):
    with time_machine.travel(NOW, tick=False):
        now = timezone.now()
        make_order(
            store,
            portal_customer,
            order_number="OLD-CANCEL",
            status=S.CANCELLED,
            updated_at=now - timedelta(days=91),
        )
        make_order(
            store,
            portal_customer,
            order_number="OLD-DRAFT",
            status=S.DRAFT,
            created_at=now - timedelta(days=8),
        )
        make_order(store, portal_customer, order_number="FRESH", status=S.DRAFT)
        html = page_of(portal.get(reverse("portal:orders")))
    assert "FRESH" in html
    assert "OLD-CANCEL" not in html
    assert "OLD-DRAFT" not in html


def test_list_queries_do_not_grow_with_rows(
    portal, store, portal_customer, django_assert_max_num_queries
):
    for _ in range(3):
        make_order(store, portal_customer, lines=((1, "1.00"), (2, "2.00")))
    with CaptureQueriesContext(connection) as three:
        assert portal.get(reverse("portal:orders")).status_code == 200
    for _ in range(17):
        make_order(store, portal_customer, lines=((1, "1.00"), (2, "2.00")))
    with django_assert_max_num_queries(len(three)):
        html = page_of(portal.get(reverse("portal:orders")))
    assert html.count('class="porder-row"') == 20


# --- the detail --------------------------------------------------------------


def test_detail_shows_products_totals_address_payment(portal, store, portal_customer):
    order = make_order(
        store,
        portal_customer,
        order_number="ORD-900",
        lines=((2, "10.00"), (1, "30.00")),
        amount=Decimal("55.00"),
        payment_method="bank_transfer",
        delivery_address={
            "name": "Anna Berg",
            "line1": "Sveavägen 5",
            "postal_code": "113 50",
            "city": "Stockholm",
            "country": "SE",
        },
    )
    html = page_of(portal.get(reverse("portal:orders_detail", args=[order.pk])))
    assert "Order ORD-900" in html
    assert "Item at 10.00" in html
    assert "Item at 30.00" in html
    assert "€20.00" in html  # 2 × 10.00
    assert "€50.00" in html  # the items
    assert "€55.00" in html  # the order total (shipping included)
    assert "Sveavägen 5" in html
    assert "113 50 Stockholm" in html
    assert "Bank transfer" in html
    assert reverse("portal:orders_confirmation", args=[order.pk]) in html
    assert f"{reverse('portal:messages')}?order={order.pk}" in html
    assert "data-print" in html


def test_print_mode(portal, store, portal_customer):
    order = make_order(store, portal_customer)
    url = reverse("portal:orders_detail", args=[order.pk])
    assert "data-print-on-load" not in page_of(portal.get(url))
    assert "data-print-on-load" in page_of(portal.get(url, {"print": "1"}))


def test_another_customers_order_is_404(portal, store, other_portal_user):
    theirs = make_order(store, other_portal_user.customer)
    for name in ("portal:orders_detail", "portal:orders_live"):
        response = portal.get(reverse(name, args=[theirs.pk]), {"part": "row"})
        assert response.status_code == 404


def test_physical_timeline(store, portal_customer):
    placed = datetime(2026, 5, 1, 8, 0, tzinfo=UTC)
    order = make_order(store, portal_customer, status=S.SHIPPED, placed_at=placed)
    status_event(order, S.PENDING, S.CONFIRMED, placed + timedelta(hours=2))
    status_event(order, S.CONFIRMED, S.SHIPPED, placed + timedelta(days=1))
    timeline = order_timeline(order)
    assert timeline.kind == "physical"
    assert [(s.status, s.state) for s in timeline.steps] == [
        (S.PENDING, "done"),
        (S.CONFIRMED, "done"),
        (S.SHIPPED, "current"),
        (S.DELIVERED, "upcoming"),
    ]
    assert timeline.steps[0].at == placed
    assert timeline.steps[2].at == placed + timedelta(days=1)
    assert timeline.steps[3].at is None


def test_service_timeline(store, portal_customer):
    at = datetime(2026, 5, 1, 8, 0, tzinfo=UTC)
    order = make_order(
        store, portal_customer, service="Logo design", status=S.IN_REVIEW
    )
    status_event(order, S.PENDING, S.PAYMENT_VERIFIED, at)
    status_event(order, S.PAYMENT_VERIFIED, S.IN_PROGRESS, at + timedelta(hours=1))
    status_event(order, S.IN_PROGRESS, S.IN_REVIEW, at + timedelta(days=2))
    timeline = order_timeline(order)
    assert timeline.kind == "service"
    assert [(s.status, s.state) for s in timeline.steps] == [
        (S.PAYMENT_VERIFIED, "done"),
        (S.IN_PROGRESS, "done"),
        (S.IN_REVIEW, "current"),
        (S.COMPLETE, "upcoming"),
    ]
    order.status = S.COMPLETE
    status_event(order, S.IN_REVIEW, S.COMPLETE, at + timedelta(days=3))
    assert {s.state for s in order_timeline(order).steps} == {"done"}


def test_service_order_waiting_for_payment(store, portal_customer):
    order = make_order(store, portal_customer, service="Audit", status=S.PENDING)
    timeline = order_timeline(order)
    assert timeline.waiting_for_payment
    assert {s.state for s in timeline.steps} == {"upcoming"}


def test_on_hold_and_cancelled_interrupt_the_flow(store, portal_customer):
    at = datetime(2026, 5, 1, 8, 0, tzinfo=UTC)
    held = make_order(store, portal_customer, status=S.ON_HOLD)
    status_event(held, S.PENDING, S.CONFIRMED, at)
    status_event(held, S.CONFIRMED, S.ON_HOLD, at + timedelta(hours=3))
    timeline = order_timeline(held)
    assert timeline.interruption == "on_hold"
    assert timeline.interrupted_at == at + timedelta(hours=3)
    assert [s.state for s in timeline.steps] == [
        "done",
        "halted",
        "upcoming",
        "upcoming",
    ]

    cancelled = make_order(store, portal_customer, status=S.CANCELLED)
    status_event(cancelled, S.PENDING, S.ON_HOLD, at)
    status_event(cancelled, S.ON_HOLD, S.CANCELLED, at + timedelta(days=1))
    timeline = order_timeline(cancelled)
    assert timeline.interruption == "cancelled"
    assert [s.state for s in timeline.steps] == [
        "done",
        "cancelled",
        "cancelled",
        "cancelled",
    ]


def test_detail_page_renders_the_timeline(portal, store, portal_customer):
    at = datetime(2026, 5, 1, 8, 0, tzinfo=UTC)
    order = make_order(store, portal_customer, status=S.ON_HOLD)
    status_event(order, S.PENDING, S.ON_HOLD, at)
    html = page_of(portal.get(reverse("portal:orders_detail", args=[order.pk])))
    assert 'data-step="pending" data-state="halted"' in html
    assert 'data-step="delivered" data-state="upcoming"' in html
    assert 'data-interruption="on_hold"' in html
    assert "1 May 2026, 10:00" in html  # 08:00 UTC in Stockholm


def test_tracking_events_newest_first_in_the_merchants_time_zone(
    portal, store, portal_customer
):
    order = make_order(
        store,
        portal_customer,
        status=S.SHIPPED,
        tracking_number="SBX1",
        courier="PostNord",
        tracking_url="https://tracking.example/SBX1",
        tracking_status=TrackingStatus.OUT_FOR_DELIVERY,
        estimated_delivery=date(2026, 5, 4),
    )
    with_parcel(
        order,
        (
            TrackingStatus.IN_TRANSIT,
            datetime(2026, 5, 2, 6, 15, tzinfo=UTC),
            "Departed terminal",
            "Solna",
        ),
        (
            TrackingStatus.OUT_FOR_DELIVERY,
            datetime(2026, 5, 3, 22, 30, tzinfo=UTC),
            "Out for delivery",
            "Stockholm",
        ),
        tracking_number="SBX1",
    )
    html = page_of(portal.get(reverse("portal:orders_detail", args=[order.pk])))
    # 22:30 UTC on 3 May is 00:30 on 4 May in Stockholm (CEST).
    assert "4 May 2026, 00:30 CEST" in html
    assert "2 May 2026, 08:15 CEST" in html
    assert html.index("Out for delivery") < html.index("Departed terminal")
    assert "Solna" in html
    assert "Stockholm" in html
    assert "Monday 4 May 2026" in html  # expected delivery
    assert 'href="https://tracking.example/SBX1"' in html


def test_unsafe_tracking_links_are_not_links(portal, store, portal_customer):
    order = make_order(
        store,
        portal_customer,
        tracking_number="X1",
        tracking_url="javascript:alert(1)",
    )
    html = page_of(portal.get(reverse("portal:orders_detail", args=[order.pk])))
    assert "javascript:alert" not in html


def test_no_internal_notes_or_staff_names(portal, store, portal_customer):
    staff = UserFactory(first_name="Sven", last_name="Staffsson")
    order = make_order(store, portal_customer, status=S.CONFIRMED, notes="VIP-SECRET")
    status_event(
        order,
        S.PENDING,
        S.CONFIRMED,
        timezone.now(),
        note="Customer is difficult, check credit",
        actor=staff,
    )
    OrderEvent.objects.create(
        order=order, kind=OrderEvent.Kind.NOTE, note="INTERNAL-NOTE-TEXT", actor=staff
    )
    for url in (
        reverse("portal:orders_detail", args=[order.pk]),
        reverse("portal:orders"),
        reverse("portal:dashboard"),
    ):
        html = page_of(portal.get(url))
        for secret in ("VIP-SECRET", "difficult", "INTERNAL-NOTE-TEXT", "Staffsson"):
            assert secret not in html, (url, secret)


def test_detail_lists_the_orders_invoices(portal, store, portal_customer):
    from invoices.services.issuing import invoice_issue_for_order

    order = make_order(store, portal_customer, status=S.CONFIRMED)
    invoice = invoice_issue_for_order(order=order)
    html = page_of(portal.get(reverse("portal:orders_detail", args=[order.pk])))
    assert invoice.number in html
    assert reverse("portal:invoices_pdf", args=[invoice.pk]) in html
    assert "Pending" in html


def test_detail_queries_do_not_grow_with_events(
    portal, store, portal_customer, django_assert_max_num_queries
):
    order = make_order(store, portal_customer, status=S.SHIPPED, tracking_number="T")
    shipment = with_parcel(order)
    url = reverse("portal:orders_detail", args=[order.pk])
    with CaptureQueriesContext(connection) as queries:
        portal.get(url)
    for n in range(15):
        TrackingEvent.objects.create(
            shipment=shipment,
            status=TrackingStatus.IN_TRANSIT,
            raw_code=f"c{n}",
            occurred_at=timezone.now() - timedelta(hours=n),
            source=TrackingEvent.Source.POLL,
        )
        OrderLineFactory(order=order)
    with django_assert_max_num_queries(len(queries)):
        assert portal.get(url).status_code == 200


# --- the live fragments ------------------------------------------------------


@pytest.mark.parametrize(
    ("part", "marker"),
    [
        ("row", 'data-live-part="row"'),
        ("card", 'data-live-part="card"'),
        ("detail", 'data-live-part="detail"'),
    ],
)
def test_live_fragment_renders_the_order_as_its_page_shows_it(
    portal, store, portal_customer, part, marker
):
    order = make_order(
        store,
        portal_customer,
        status=S.SHIPPED,
        tracking_number="T1",
        tracking_status=TrackingStatus.DELIVERED,
    )
    response = portal.get(
        reverse("portal:orders_live", args=[order.pk]), {"part": part}
    )
    html = page_of(response)
    assert response.status_code == 200
    assert html.lstrip().startswith("<")
    assert marker in html
    assert f'data-live-order="{order.pk}"' in html
    assert "Delivered" in html
    assert "<html" not in html  # a fragment, not a page


def test_live_fragment_needs_a_known_part(portal, store, portal_customer):
    order = make_order(store, portal_customer)
    response = portal.get(reverse("portal:orders_live", args=[order.pk]))
    assert response.status_code == 400
    assert b"part must be one of" in response.content


def test_pages_need_a_customer(client, staff_user, store, portal_customer):
    order = make_order(store, portal_customer)
    url = reverse("portal:orders_detail", args=[order.pk])
    assert client.get(url).status_code == 302  # to the portal's sign-in
    client.force_login(staff_user)
    assert client.get(url).status_code == 404
