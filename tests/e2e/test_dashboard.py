"""The home dashboard and the pages with charts (Couriers, messaging metrics) in a
browser at 1440 and 390 px: the numbers of a small hand-built day, every chart
drawn (Chart.js from our own static files, under the CSP: `new_page` fails on a
refused script), no sideways scrolling on a phone, and a number opens its list."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from messaging import services as messaging
from messaging.models import Message
from tests.e2e.test_orders_view import PHONE, sign_in
from tests.factories import CustomerFactory, OrderFactory
from tests.shipments.factories import CourierAccountFactory, ShipmentFactory

pytestmark = pytest.mark.browser

DESKTOP = {"viewport": {"width": 1440, "height": 900}}
SIZES = [("desktop", DESKTOP), ("phone", PHONE)]


@pytest.fixture
def day(store, staff_user):
    """Three orders placed now (one in SEK, one waiting to be booked), two parcels
    delivered on the promised day, a conversation answered after 20 minutes."""
    now = timezone.now()
    ada = CustomerFactory(merchant=store.merchant, email="ada@example.com")
    first = OrderFactory(store=store, customer=ada, order_number="DASH-1")
    OrderFactory(store=store, order_number="DASH-2", currency="SEK", status="shipped")
    OrderFactory(store=store, order_number="DASH-3", status="confirmed")
    account = CourierAccountFactory(merchant=store.merchant, name="Sandbox Post")
    for hours, number in ((30, "SBXE1"), (50, "SBXE2")):
        ShipmentFactory(
            order=first,
            account=account,
            tracking_number=number,
            status="delivered",
            created_at=now - timedelta(hours=hours),
            delivered_at=now,
            promised_delivery=now.date(),
        )
    asked = now - timedelta(minutes=30)
    messaging.message_receive(
        channel=Message.Channel.EMAIL,
        sender=ada.email,
        subject="DASH-1",
        body="When does it ship?",
        received_at=asked,
    )
    messaging.message_reply(order=first, actor=staff_user, body="Today")
    return first


def charts_drawn(page, count):
    charts = page.locator("canvas[data-chart]")
    expect(charts).to_have_count(count)
    for n in range(count):
        expect(charts.nth(n)).to_have_attribute("data-chart-drawn", "1")
        box = charts.nth(n).bounding_box()
        assert box["width"] > 100
        assert box["height"] > 100


@pytest.mark.parametrize(("size", "options"), SIZES, ids=[s for s, _o in SIZES])
def test_the_dashboard_shows_the_day_and_draws_its_charts(
    new_page, live_server, staff_user, day, artifacts, size, options
):
    page = new_page(**options)
    sign_in(page, live_server.url, staff_user)
    page.get_by_role("link", name="Dashboard").click()
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()

    expect(page.locator('[data-stat="orders-today"] .dash-value')).to_have_text("3")
    expect(page.locator('[data-stat="on-time-month"] .dash-value')).to_have_text("100%")
    expect(page.locator('[data-stat="revenue-today-SEK"]')).to_have_text("150.00 SEK")
    charts_drawn(page, 4)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.screenshot(path=artifacts / f"dashboard-{size}.png", full_page=True)

    page.locator('[data-stat="orders-today"]').click()
    expect(page).to_have_url(re.compile(r"/orders/\?state=&created_after="))
    expect(page.locator("#orders-table tbody tr")).to_have_count(3)


@pytest.mark.parametrize(("size", "options"), SIZES, ids=[s for s, _o in SIZES])
def test_the_couriers_page_and_messaging_metrics_draw_charts(
    new_page, live_server, staff_user, day, artifacts, size, options
):
    page = new_page(**options)
    sign_in(page, live_server.url, staff_user)

    page.goto(f"{live_server.url}/shipments/performance/")
    expect(page.get_by_role("heading", name="Courier performance")).to_be_visible()
    charts_drawn(page, 2)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.screenshot(path=artifacts / f"couriers-charts-{size}.png", full_page=True)

    page.goto(f"{live_server.url}/messages/metrics/")
    expect(page.get_by_role("heading", name="Messaging metrics")).to_be_visible()
    charts_drawn(page, 2)
    page.screenshot(
        path=artifacts / f"messaging-metrics-charts-{size}.png", full_page=True
    )
