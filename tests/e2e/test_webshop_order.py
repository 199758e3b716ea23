"""A Shopify order whose number was taken, as staff meet it in the Orders view."""

import pytest
from django.test import Client
from playwright.sync_api import expect

from orders.models import Order
from tests.e2e.test_orders_view import PHONE, rows, sign_in
from tests.factories import OrderFactory
from tests.orders.payloads import post_shopify
from tests.orders.samples import shopify_sample_order

pytestmark = pytest.mark.browser


@pytest.fixture
def flagged(store):
    """Shopify's sample order #1001, paid, arriving where #1001 is taken."""
    OrderFactory(store=store, order_number="#1001", source="manual", status="pending")
    post_shopify(Client(), store, shopify_sample_order())
    return Order.objects.get(source="shopify")


def test_a_renumbered_order_says_why_and_adds_up(
    new_page, live_server, staff_user, flagged, artifacts
):
    page = new_page(viewport={"width": 1360, "height": 900})
    sign_in(page, live_server.url, staff_user)
    row = rows(page).filter(has_text="#1001-2")
    expect(row).to_contain_text("Duplicate number")  # the reason it needs action

    row.get_by_role("link", name="#1001-2").click()
    drawer = page.locator("#drawer")
    notice = drawer.locator(".review-notice")
    expect(notice).to_contain_text("Number #1001 was already taken")
    totals = drawer.locator(".lines-table tfoot")
    expect(totals).to_contain_text("Items")
    expect(totals).to_contain_text("Shipping")
    expect(totals).to_contain_text("1,147.00")
    expect(totals).to_contain_text("incl. tax")
    page.screenshot(path=artifacts / "webshop-order-flagged-desktop.png")

    notice.get_by_role("button", name="Mark as reviewed").click()
    expect(drawer.locator(".review-notice")).to_have_count(0)
    expect(page.locator("#toasts")).to_contain_text("marked as reviewed")


def test_the_flag_reads_on_a_phone(
    new_page, live_server, staff_user, flagged, artifacts
):
    page = new_page(**PHONE)
    page.goto(f"{live_server.url}/orders/{flagged.pk}/")
    page.get_by_label("Email or username").fill(staff_user.username)
    page.get_by_label("Password").fill("pw-secret-123")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator(".review-notice")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.screenshot(path=artifacts / "webshop-order-flagged-phone.png", full_page=True)
