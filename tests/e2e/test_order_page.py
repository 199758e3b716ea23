"""The order page and the drawer in a browser, at 1440 and 390 px: two columns on
a desktop (the order on the left; its timeline, messages and notes on the right),
one on a phone; the actions in the header bar; labels, not codes; every time in
the merchant's zone, with the zone named."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from orders import services
from orders.state_machine import OrderStatus
from tests.e2e.test_orders_view import PHONE, sign_in
from tests.factories import OrderFactory, OrderLineFactory
from tests.shipments.factories import ShipmentFactory, scan

pytestmark = pytest.mark.browser


@pytest.fixture
def shopify_order(store, staff_user):
    """Placed 13:02 UTC on 8 Nov (14:02 in Stockholm), paid with Shopify
    Payments, on its way with a scan at 08:30 UTC on 9 Nov (09:30 there)."""
    order = OrderFactory(
        store=store,
        order_number="SHP-1042",
        source="shopify",
        payment_method="shopify_payments",
        status=OrderStatus.PAYMENT_VERIFIED,
        amount=Decimal("1290.00"),
        currency="SEK",
        placed_at=datetime(2025, 11, 8, 13, 2, tzinfo=UTC),
        notes="Gift wrap, please.",
        delivery_address={"name": "Astrid Lind", "city": "Stockholm", "country": "SE"},
    )
    OrderLineFactory(
        order=order, title="Wool blanket", quantity=2, unit_price=Decimal("645")
    )
    services.order_change_status(
        order=order, to=OrderStatus.CONFIRMED, actor=staff_user, note="Packed"
    )
    services.order_record_tracking(
        order=order,
        actor=staff_user,
        tracking_number="SBX0000001042",
        courier="Sandbox Post",
        tracking_status="in_transit",
    )
    shipment = ShipmentFactory(order=order, tracking_number="SBX0000001042")
    scan(
        shipment,
        datetime(2025, 11, 9, 8, 30, tzinfo=UTC),
        description="Departed terminal",
    )
    return order


def open_order_page(page, base_url, user, order):
    sign_in(page, base_url, user)
    page.goto(f"{base_url}/orders/{order.pk}/")
    expect(page.get_by_role("heading", name="Order SHP-1042")).to_be_visible()
    # The panels the page loads after it: messages, invoice, the parcel's scans.
    expect(page.locator(".thread-panel")).to_be_visible()
    expect(page.locator(".tracking-events")).to_contain_text("Departed terminal")


def expect_labels_and_zone(page):
    detail = page.locator("#order-detail")
    expect(detail).to_contain_text("Shopify Payments")
    expect(detail).not_to_contain_text("shopify_payments")
    expect(detail.locator(".eyebrow")).to_have_text("Nordic Goods · Shopify")
    expect(detail).to_contain_text("In transit")
    expect(detail.locator("[data-time-zone]")).to_have_text("Times in Europe/Stockholm")
    expect(detail.locator(".detail-meta")).to_contain_text("8 Nov 2025, 14:02 CET")
    expect(detail.locator(".tracking-events")).to_contain_text("9 Nov 09:30")


def boxes(page):
    main = page.locator(".detail-main").bounding_box()
    side = page.locator(".detail-side").bounding_box()
    return main, side


def test_the_order_page_on_a_desktop(
    new_page, live_server, staff_user, shopify_order, artifacts
):
    page = new_page(viewport={"width": 1440, "height": 900})
    open_order_page(page, live_server.url, staff_user, shopify_order)
    expect_labels_and_zone(page)

    # Two columns: the order on the left, its timeline and messages on the right.
    main, side = boxes(page)
    assert side["x"] >= main["x"] + main["width"] - 1
    assert abs(side["y"] - main["y"]) <= 1
    assert page.locator(".detail-page").bounding_box()["width"] >= 1200
    side_column = page.locator(".detail-side")
    expect(side_column.locator(".timeline")).to_contain_text("Packed")
    expect(side_column.locator(".thread-panel")).to_be_visible()
    expect(side_column).to_contain_text("Gift wrap, please.")
    main_column = page.locator(".detail-main")
    expect(main_column.locator(".lines-table")).to_contain_text("Wool blanket")
    expect(main_column).to_contain_text("1,290.00 SEK")

    # The actions sit in the header bar, above the columns.
    actions = page.locator(".detail-actions")
    assert actions.bounding_box()["y"] < main["y"]
    expect(actions.get_by_label("New status")).to_be_visible()
    expect(actions.get_by_role("link", name="Edit")).to_be_visible()
    expect(actions.get_by_role("link", name="Notify customer")).to_be_visible()
    page.screenshot(path=artifacts / "order-page-desktop.png", full_page=True)

    # The status changes from the header bar; the timeline on the right shows it.
    actions.get_by_label("New status").select_option(OrderStatus.SHIPPED)
    actions.get_by_role("button", name="Update status").click()
    expect(page.locator(".timeline")).to_contain_text("Confirmed → Shipped")


def test_the_order_page_on_a_phone(
    new_page, live_server, staff_user, shopify_order, artifacts
):
    page = new_page(**PHONE)
    open_order_page(page, live_server.url, staff_user, shopify_order)
    expect_labels_and_zone(page)

    # One column: the timeline and messages come after the order.
    main, side = boxes(page)
    assert side["y"] >= main["y"] + main["height"] - 1
    assert abs(side["x"] - main["x"]) <= 1
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.screenshot(path=artifacts / "order-page-phone.png", full_page=True)


def test_the_drawer_uses_the_width_of_a_desktop(
    new_page, live_server, staff_user, shopify_order, artifacts
):
    page = new_page(viewport={"width": 1440, "height": 900})
    sign_in(page, live_server.url, staff_user)
    page.get_by_role("link", name="SHP-1042", exact=True).click()
    drawer = page.locator("#drawer")
    expect(drawer.get_by_role("heading", name="Order SHP-1042")).to_be_visible()
    expect(drawer.locator(".thread-panel")).to_be_visible()
    expect_labels_and_zone(page)
    main, side = boxes(page)
    assert side["x"] >= main["x"] + main["width"] - 1
    assert drawer.bounding_box()["width"] >= 1000
    page.screenshot(path=artifacts / "order-drawer-desktop.png")
