"""The issue's "done means", as a new team would try it: a customer writes from the
portal and another by SMS; the team's open Inbox shows both at once, without a
reload; staff answer the portal question from a canned reply and the customer's
open conversation shows the answer at once; the SMS asking "where is my parcel?"
was answered in the same moment with the live status, through Twilio (a local
server speaking its Messages API)."""

import base64
import datetime as dt
import hashlib
import hmac
from urllib.parse import parse_qs

import pytest
import requests
from playwright.sync_api import expect

from messaging import services
from messaging.models import Message
from orders.tracking import TrackingStatus
from performile import outbox
from performile.models import OutboxMessage
from tests.e2e.test_orders_view import sign_in as staff_sign_in
from tests.e2e.test_portal import DESKTOP
from tests.e2e.test_portal import sign_in as customer_sign_in
from tests.factories import CustomerFactory, OrderFactory
from tests.portal import conftest as portal_fixtures

pytestmark = pytest.mark.browser

portal_user = portal_fixtures.portal_user
portal_customer = portal_fixtures.portal_customer
fresh_rate_limits = portal_fixtures._fresh_rate_limits

PHONE = "+46701234599"
SHOP_NUMBER = "+46700000001"
TWILIO_MESSAGES = "/2010-04-01/Accounts/AC-test/Messages.json"
PUBLIC_BASE_URL = "https://performile.example"


@pytest.fixture
def twilio(settings, httpserver):
    settings.TWILIO_ACCOUNT_SID = "AC-test"
    settings.TWILIO_AUTH_TOKEN = "twilio-token"
    settings.TWILIO_FROM_NUMBER = SHOP_NUMBER
    settings.TWILIO_API_BASE = httpserver.url_for("/")
    settings.PUBLIC_BASE_URL = PUBLIC_BASE_URL
    return httpserver


@pytest.fixture
def asked_in_the_portal(store, portal_customer):
    return OrderFactory(store=store, customer=portal_customer, order_number="ORD-8001")


@pytest.fixture
def on_its_way(store):
    store.sms_number = SHOP_NUMBER
    store.save(update_fields=["sms_number"])
    return OrderFactory(
        store=store,
        customer=CustomerFactory(merchant=store.merchant, name="Bo", phone=PHONE),
        order_number="ORD-8002",
        status="shipped",
        tracking_number="00370712345678909999",
        courier="PostNord",
        tracking_status=TrackingStatus.IN_TRANSIT,
        tracking_event="Departed the sorting terminal in Malmö",
        tracking_event_at=dt.datetime(2026, 12, 6, 17, 5, tzinfo=dt.UTC),
        tracking_url="https://track.example/00370712345678909999",
        estimated_delivery=dt.date(2026, 12, 9),
    )


def text_the_shop(server: str, body: str) -> None:
    """A signed Twilio webhook, as Twilio sends it (application/x-www-form-urlencoded)."""
    path = "/webhooks/twilio/sms"
    params = {
        "MessageSid": "SMe2e0001",
        "AccountSid": "AC-test",
        "From": PHONE,
        "To": SHOP_NUMBER,
        "Body": body,
        "NumMedia": "0",
    }
    signed = PUBLIC_BASE_URL + path + "".join(f"{k}{params[k]}" for k in sorted(params))
    digest = hmac.new(b"twilio-token", signed.encode(), hashlib.sha1).digest()
    answer = requests.post(
        server + path,
        data=params,
        headers={"X-Twilio-Signature": base64.b64encode(digest).decode()},
        timeout=10,
    )
    assert answer.status_code == 200, answer.text


def test_a_support_day(
    new_page,
    asgi_server,
    staff_user,
    portal_customer,
    asked_in_the_portal,
    on_its_way,
    twilio,
    artifacts,
):
    services.canned_reply_create(
        merchant=asked_in_the_portal.merchant,
        actor=staff_user,
        title="Address change",
        body="Hi {{customer_name}}, we have changed the address of {{order_number}}.",
    )
    team = new_page(**DESKTOP)
    staff_sign_in(team, asgi_server, staff_user)
    team.goto(f"{asgi_server}/messages/")
    team.evaluate("window.__loads = 1")
    expect(team.locator("[data-live-status]")).to_have_attribute("data-mode", "live")

    customer = new_page(**DESKTOP)
    customer_sign_in(customer, asgi_server, portal_customer)
    customer.goto(f"{asgi_server}/portal/messages/?order={asked_in_the_portal.pk}")
    customer.get_by_label("Reply").fill("Please send it to Storgatan 1 instead.")
    customer.get_by_role("button", name="Send").click()
    expect(customer.locator("#pm-thread")).to_contain_text("Storgatan 1")
    expect(customer.locator("[data-live-status]")).to_have_attribute(
        "data-mode", "live"
    )

    text_the_shop(asgi_server, "Hi, where is my parcel?")

    # Both, at once, in the open Inbox; the SMS already answered automatically.
    results = team.locator("#inbox-results")
    expect(results).to_contain_text("Please send it to Storgatan 1 instead.")
    sms_row = results.locator("[data-thread-row]").filter(has_text="ORD-8002")
    expect(sms_row).to_contain_text("Automatic:")
    assert team.evaluate("window.__loads") == 1

    # The automatic answer goes out through Twilio with the live status.
    answer = Message.objects.get(thread__order=on_its_way, automatic=True)
    twilio.expect_oneshot_request(TWILIO_MESSAGES, method="POST").respond_with_json(
        {"sid": "SM9001", "status": "queued"}, status=201
    )
    assert outbox.deliver(answer.delivery_id).status == OutboxMessage.Status.SENT
    [(request, _)] = twilio.log
    sent = parse_qs(request.get_data(as_text=True))
    assert sent["To"] == [PHONE]
    assert "Departed the sorting terminal in Malmö" in sent["Body"][0]
    assert "https://track.example/00370712345678909999" in sent["Body"][0]

    # Staff answer the portal question from a canned reply, in the pane.
    results.get_by_role("link").filter(has_text="ORD-8001").click()
    pane = team.locator("#inbox-pane")
    composer = pane.locator("[data-composer-form]")
    composer.get_by_label("Insert a canned reply").select_option(label="Address change")
    expect(composer.get_by_label("Message")).to_have_value(
        f"Hi {portal_customer.name}, we have changed the address of ORD-8001."
    )
    composer.get_by_role("button", name="Send reply").click()
    expect(pane.locator(".msg--team")).to_contain_text("we have changed the address")
    team.screenshot(path=artifacts / "support-day-inbox.png")

    # The customer's open conversation shows it without a reload.
    expect(customer.locator("#pm-thread")).to_contain_text(
        "we have changed the address of ORD-8001"
    )
    customer.screenshot(path=artifacts / "support-day-portal.png")
