"""The live Orders view in a browser: a courier webhook changes a row without a
reload; with the websocket gone, the feed's polling fallback still brings the next
change."""

import hashlib
import hmac
import json
import re

import pytest
import requests
from playwright.sync_api import expect

from orders.state_machine import OrderStatus
from orders.tracking import TrackingStatus
from tests.e2e.test_orders_view import sign_in
from tests.factories import OrderFactory
from tests.inbound import outcome
from tests.shipments.factories import CourierAccountFactory, ShipmentFactory

pytestmark = pytest.mark.browser


@pytest.fixture
def parcel(store):
    account = CourierAccountFactory(merchant=store.merchant, name="Sandbox Post")
    order = OrderFactory(
        store=store,
        order_number="ORD-003",
        status=OrderStatus.CONFIRMED,
        tracking_number="SBX0000000042",
        courier="Sandbox Post",
        tracking_url="https://sandbox.example/track/SBX0000000042",
        tracking_status=TrackingStatus.INFO_RECEIVED,
    )
    ShipmentFactory(
        order=order,
        account=account,
        tracking_number="SBX0000000042",
        status=TrackingStatus.INFO_RECEIVED,
    )
    return account, order


def post_scan(
    base_url, account, code, description, location, at, number="SBX0000000042"
):
    body = json.dumps(
        {
            "tracking_number": number,
            "event": {
                "code": code,
                "description": description,
                "location": location,
                "occurred_at": at,
            },
        }
    ).encode()
    digest = hmac.new(account.api_key.encode(), body, hashlib.sha256).hexdigest()
    response = requests.post(
        f"{base_url}/webhooks/couriers/sandbox/{account.webhook_key}",
        data=body,
        headers={
            "Content-Type": "application/json",
            "X-Sandbox-Signature": f"sha256={digest}",
        },
        timeout=10,
    )
    assert response.status_code == 200, response.text
    assert outcome(response) == {"status": "applied", "applied": 1, "kept": 0}


def test_badge_changes_without_reload_and_polling_takes_over(
    new_page, one_socket, asgi_server, staff_user, parcel, artifacts
):
    account, order = parcel
    page = new_page()
    page.route_web_socket(re.compile(r".*/ws/orders/$"), one_socket)
    sign_in(page, asgi_server, staff_user)
    page.evaluate("window.__loads = (window.__loads || 0) + 1")
    status = page.locator("[data-live-status]")
    expect(status).to_have_attribute("data-mode", "live")
    row = page.locator(f"#order-{order.pk}")
    expect(row.locator("[data-badge]")).to_have_text("Confirmed")

    # A courier webhook: the badge turns, the scan and the toast appear, no reload.
    post_scan(
        asgi_server,
        account,
        "PICKED_UP",
        "Departed terminal",
        "Solna",
        "2026-11-21T09:00:00+01:00",
    )
    expect(row.locator("[data-badge]")).to_have_text("In transit")
    expect(row).to_contain_text("21 Nov 09:00 · Departed terminal · Solna")
    expect(row.locator(".flag--live")).to_be_visible()
    expect(
        page.locator(".toast").filter(has_text="ORD-003 is in transit")
    ).to_be_visible()
    assert page.evaluate("window.__loads") == 1  # the same page, never reloaded
    page.screenshot(path=artifacts / "live-in-transit.png", full_page=True)

    # The socket dies and cannot come back: the page says so and polls the feed.
    page.evaluate("window.PerformileLive.pollSeconds = 1")
    one_socket.sockets[0].close()
    expect(status).to_have_attribute("data-mode", "offline")
    post_scan(
        asgi_server,
        account,
        "DELIVERED",
        "Delivered to the mailbox",
        "Stockholm",
        "2026-11-22T10:00:00+01:00",
    )
    expect(row.locator("[data-badge]")).to_have_text("Delivered")
    expect(
        page.locator(".toast").filter(has_text="ORD-003 was delivered")
    ).to_be_visible()
    assert page.evaluate("window.__loads") == 1
    assert len(one_socket.sockets) == 1
    page.screenshot(path=artifacts / "live-polling-delivered.png", full_page=True)
