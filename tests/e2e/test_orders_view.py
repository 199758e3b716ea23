import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from orders import services
from orders.state_machine import OrderStatus
from tests.factories import OrderFactory, OrderLineFactory

pytestmark = pytest.mark.browser

S = OrderStatus
PASSWORD = "pw-secret-123"  # tests.factories.UserFactory's
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True}


@pytest.fixture
def orders(store, second_store, staff_user):
    """A merchant's day: a parcel on its way, one waiting for a shipment, one
    delivered (closed), and an order with a history."""
    OrderFactory(
        store=store,
        order_number="ORD-001",
        status=S.SHIPPED,
        tracking_number="370123456789",
        courier="PostNord",
        tracking_url="https://tracking.example/370123456789",
        tracking_status="in_transit",
    )
    OrderFactory(store=second_store, order_number="ORD-002", status=S.PENDING)
    OrderFactory(store=store, order_number="ORD-003", status=S.DELIVERED)
    order = services.order_create(
        store=store,
        order_number="ORD-004",
        actor=staff_user,
        amount=Decimal("240.00"),
        delivery_address={"name": "Astrid Lind", "city": "Stockholm"},
    )
    OrderLineFactory(order=order, title="Wool blanket", quantity=2)
    services.order_change_status(
        order=order, to=S.PAYMENT_VERIFIED, actor=staff_user, note="Paid by Swish"
    )
    return order


def sign_in(page, base_url, user):
    page.goto(f"{base_url}/orders/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    page.get_by_label("Email or username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/orders/$"))


def rows(page):
    return page.locator("#orders-table tbody tr")


def test_filter_open_the_drawer_and_change_status(
    new_page, live_server, staff_user, orders, artifacts
):
    page = new_page(viewport={"width": 1360, "height": 900})
    css = []
    page.on(
        "response",
        lambda r: css.append(r.status) if r.url.endswith("/app.css") else None,
    )
    sign_in(page, live_server.url, staff_user)

    # The stylesheet is served and applied.
    expect(page.locator("body")).to_have_css("background-color", "rgb(245, 246, 248)")
    assert css
    assert set(css) == {200}

    # Open orders by default: the delivered one is hidden.
    expect(rows(page)).to_have_count(3)
    expect(page.get_by_role("link", name="370123456789")).to_have_attribute(
        "href", "https://tracking.example/370123456789"
    )
    page.screenshot(path=artifacts / "orders-desktop.png", full_page=True)

    # Filtering by status swaps the table and keeps the filter in the address.
    page.get_by_label("Status").select_option(S.SHIPPED)
    expect(rows(page)).to_have_count(1)
    expect(rows(page).first).to_contain_text("ORD-001")
    expect(page).to_have_url(re.compile(r"status=shipped"))

    # Typing in the search narrows as you type.
    page.get_by_label("Status").select_option("")
    expect(rows(page)).to_have_count(3)
    page.get_by_label("Search orders").fill("ORD-004")
    expect(rows(page)).to_have_count(1)
    expect(page).to_have_url(re.compile(r"q=ORD-004"))

    # The drawer shows the order and its timeline.
    page.get_by_role("link", name="ORD-004", exact=True).click()
    drawer = page.locator("#drawer")
    expect(drawer).to_be_visible()
    expect(drawer.get_by_role("heading", name="Order ORD-004")).to_be_visible()
    timeline = drawer.locator(".timeline")
    expect(timeline).to_contain_text("Pending → Payment verified")
    expect(timeline).to_contain_text("Paid by Swish")
    expect(drawer).to_contain_text("Wool blanket")
    page.screenshot(path=artifacts / "orders-drawer-desktop.png")

    # Changing the status re-renders the drawer and the row behind it.
    drawer.get_by_label("New status").select_option(S.IN_PROGRESS)
    drawer.get_by_role("button", name="Update").click()
    expect(timeline).to_contain_text("Payment verified → In progress")
    expect(page.locator(f"#order-{orders.pk} .badge")).to_have_text("In progress")
    expect(page.locator("#toasts")).to_contain_text("is now In progress")

    # Escape closes it.
    page.keyboard.press("Escape")
    expect(drawer).to_be_hidden()

    # A click anywhere on the row opens it again.
    page.locator(f"#order-{orders.pk} .col-store").click()
    expect(drawer.get_by_role("heading", name="Order ORD-004")).to_be_visible()


def test_phone_layout(new_page, live_server, staff_user, orders, artifacts):
    """On a phone the table becomes cards and the drawer takes the full width."""
    page = new_page(**PHONE)
    sign_in(page, live_server.url, staff_user)

    expect(rows(page)).to_have_count(3)
    expect(page.locator("#orders-table thead")).to_be_hidden()
    card = rows(page).first.bounding_box()
    assert card["width"] <= 390
    page.screenshot(path=artifacts / "orders-phone.png", full_page=True)

    rows(page).filter(has_text="ORD-004").get_by_role("link", name="ORD-004").click()
    drawer = page.locator("#drawer")
    expect(drawer.locator(".timeline")).to_contain_text("Paid by Swish")
    assert drawer.bounding_box()["width"] == pytest.approx(390, abs=1)
    page.screenshot(path=artifacts / "orders-drawer-phone.png")
