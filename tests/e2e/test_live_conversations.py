"""Conversations, live, in a browser: a customer writes from the portal and the
merchant's open Inbox shows it without a reload; staff answer and the customer's
open conversation shows the answer without a reload, keeping what they were
typing."""

import re

import pytest
from playwright.sync_api import expect

from messaging import services
from tests.e2e.test_orders_view import sign_in as staff_sign_in
from tests.e2e.test_portal import DESKTOP
from tests.e2e.test_portal import sign_in as customer_sign_in
from tests.factories import OrderFactory
from tests.portal import conftest as portal_fixtures

pytestmark = pytest.mark.browser

portal_user = portal_fixtures.portal_user
portal_customer = portal_fixtures.portal_customer
fresh_rate_limits = portal_fixtures._fresh_rate_limits


@pytest.fixture
def order(store, portal_customer):
    return OrderFactory(store=store, customer=portal_customer, order_number="ORD-7001")


def test_the_inbox_shows_a_portal_message_and_a_reply_as_they_are_written(
    new_page, asgi_server, staff_user, portal_user, order, artifacts
):
    page = new_page(**DESKTOP)
    staff_sign_in(page, asgi_server, staff_user)
    page.goto(f"{asgi_server}/messages/")
    page.evaluate("window.__loads = 1")
    expect(page.locator("[data-live-status]")).to_have_attribute("data-mode", "live")
    results = page.locator("#inbox-results")
    expect(results).not_to_contain_text("ORD-7001")

    services.message_send_in_app(
        order=order, actor=portal_user, body="Can I change the delivery address?"
    )
    expect(results).to_contain_text("ORD-7001")
    expect(results).to_contain_text("Can I change the delivery address?")

    services.message_reply(
        order=order, actor=staff_user, body="Yes, write it here.", channel="in_app"
    )
    expect(results).to_contain_text("You: Yes, write it here.")
    assert page.evaluate("window.__loads") == 1

    # The open conversation, beside the list, shows the customer's next message.
    results.get_by_role("link").filter(has_text="ORD-7001").click()
    pane = page.locator("#inbox-pane")
    expect(pane.locator("[data-thread-panel]")).to_contain_text("Yes, write it here.")
    services.message_send_in_app(
        order=order, actor=portal_user, body="Storgatan 1, 111 22 Stockholm."
    )
    expect(pane.locator("[data-thread-panel]")).to_contain_text("Storgatan 1")
    assert page.evaluate("window.__loads") == 1
    page.screenshot(path=artifacts / "inbox-live-desktop.png", full_page=True)


def test_the_customer_sees_the_answer_in_the_open_conversation(
    new_page, asgi_server, staff_user, portal_user, portal_customer, order, artifacts
):
    services.message_send_in_app(order=order, actor=portal_user, body="Is it packed?")
    page = new_page(**DESKTOP)
    customer_sign_in(page, asgi_server, portal_customer)
    page.goto(f"{asgi_server}/portal/messages/?order={order.pk}")
    page.evaluate("window.__loads = 1")
    expect(page.locator("[data-live-status]")).to_have_attribute("data-mode", "live")
    page.get_by_label("Reply").fill("Half a thought")

    services.message_reply(
        order=order,
        actor=staff_user,
        body="Packed and leaving today.",
        channel="in_app",
    )
    thread = page.locator("[data-live-part='messages']")
    expect(thread).to_contain_text("Packed and leaving today.")
    newest = thread.locator(".msg").last
    expect(newest).to_contain_text("Packed and leaving today.")
    expect(newest).to_have_class(re.compile(r"\bis-updated\b"))
    expect(page.get_by_label("Reply")).to_have_value("Half a thought")
    assert page.evaluate("window.__loads") == 1
    assert re.search(r"order=\d+", page.url)
    page.screenshot(path=artifacts / "portal-conversation-live-desktop.png")
