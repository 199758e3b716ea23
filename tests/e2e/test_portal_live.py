"""The portal's live status in a browser: a status change the merchant makes shows
on the customer's open Orders page without a reload; with the websocket gone, the
feed's polling fallback still brings the next one."""

import re

import pytest
from playwright.sync_api import expect

from orders.services import order_change_status
from orders.state_machine import OrderStatus
from tests.e2e.test_portal import DESKTOP, sign_in
from tests.factories import OrderFactory
from tests.portal import conftest as portal_fixtures

pytestmark = pytest.mark.browser

S = OrderStatus
portal_user = portal_fixtures.portal_user
portal_customer = portal_fixtures.portal_customer
fresh_rate_limits = portal_fixtures._fresh_rate_limits


@pytest.fixture
def parcel(store, portal_customer):
    return OrderFactory(
        store=store,
        customer=portal_customer,
        order_number="ORD-6001",
        status=S.CONFIRMED,
    )


# The page as served, but reading the feed every second while offline: set before
# the deferred scripts run (routing the page itself would make Chromium refuse the
# socket to 127.0.0.1 from it).
QUICK_POLLING = """
document.addEventListener("readystatechange", function () {
  var root = document.querySelector("[data-portal-live]");
  if (document.readyState === "interactive" && root) root.dataset.pollSeconds = "1";
});
"""


def test_status_changes_without_reload_and_polling_takes_over(
    new_page, one_socket, asgi_server, portal_customer, staff_user, parcel, artifacts
):
    page = new_page(**DESKTOP)
    sign_in(page, asgi_server, portal_customer)  # the dashboard has a socket too
    page.route_web_socket(re.compile(r".*/ws/orders/$"), one_socket)
    page.add_init_script(QUICK_POLLING)
    page.goto(f"{asgi_server}/portal/orders/")
    page.evaluate("window.__loads = (window.__loads || 0) + 1")
    status = page.locator("[data-live-status]")
    expect(status).to_have_attribute("data-mode", "live")
    row = page.locator(f"#porder-row-{parcel.pk}")
    expect(row.locator("[data-badge]")).to_have_text("Confirmed")

    # The merchant ships it: the row is rendered again and highlighted, no reload.
    order_change_status(order=parcel, to=S.SHIPPED, actor=staff_user)
    expect(row.locator("[data-badge]")).to_have_text("Shipped")
    expect(row).to_have_class(re.compile(r"\bis-updated\b"))
    assert page.evaluate("window.__loads") == 1
    page.screenshot(path=artifacts / "portal-live-shipped.png", full_page=True)

    # The socket dies and cannot come back: the page says so and polls the feed.
    one_socket.sockets[0].close()
    expect(status).to_have_attribute("data-mode", "offline")
    expect(status).to_have_text("Updating every 1 s")
    parcel.refresh_from_db()
    order_change_status(order=parcel, to=S.DELIVERED, actor=staff_user)
    expect(row.locator("[data-badge]")).to_have_text("Delivered")
    assert page.evaluate("window.__loads") == 1
    assert len(one_socket.sockets) == 1
    page.screenshot(
        path=artifacts / "portal-live-polling-delivered.png", full_page=True
    )
