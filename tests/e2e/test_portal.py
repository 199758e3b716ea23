"""The customer portal in a browser: a customer signs in with their customer
number, finds an order and follows its parcel, downloads an invoice, writes to
support, uses the pages on a phone, and is warned before the idle sign-out."""

import io
import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfReader

from invoices.services import invoice_issue_for_order
from messaging.models import Message
from orders.models import OrderEvent
from orders.state_machine import OrderStatus
from orders.tracking import TrackingStatus
from shipments.models import TrackingEvent
from tests.e2e.test_orders_view import PHONE
from tests.invoices import conftest as billing
from tests.portal import conftest as portal_fixtures
from tests.shipments.factories import ShipmentFactory

pytestmark = pytest.mark.browser

S = OrderStatus
DESKTOP = {"viewport": {"width": 1360, "height": 900}}
PASSWORD = portal_fixtures.PASSWORD
# The portal's customer (Anna Berg, C10000001) and the merchant's billing profile.
portal_user = portal_fixtures.portal_user
portal_customer = portal_fixtures.portal_customer
fresh_rate_limits = portal_fixtures._fresh_rate_limits
profile = billing.profile


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def status_event(order, from_status, to_status, at):
    OrderEvent.objects.create(
        order=order,
        kind=OrderEvent.Kind.STATUS_CHANGED,
        from_status=from_status,
        to_status=to_status,
        created_at=at,
    )


@pytest.fixture
def account(store, profile, portal_customer):
    """Anna's orders: a parcel on its way (confirmed, invoiced, two courier scans),
    one delivered last month, and a logo design under way."""
    now = timezone.now()
    parcel = billing.make_order(
        store,
        portal_customer,
        order_number="ORD-5001",
        status=S.SHIPPED,
        placed_at=now - timedelta(days=3),
        tracking_number="SBX5001",
        courier="PostNord",
        tracking_url="https://tracking.example/SBX5001",
        tracking_status=TrackingStatus.IN_TRANSIT,
        estimated_delivery=(now + timedelta(days=2)).date(),
    )
    status_event(parcel, S.PENDING, S.CONFIRMED, now - timedelta(days=3, hours=-2))
    status_event(parcel, S.CONFIRMED, S.SHIPPED, now - timedelta(days=2))
    shipment = ShipmentFactory(order=parcel, tracking_number="SBX5001")
    for index, (status, ago, description, location) in enumerate(
        (
            (TrackingStatus.INFO_RECEIVED, 47, "Parcel registered", "Stockholm"),
            (TrackingStatus.IN_TRANSIT, 20, "Departed terminal", "Solna"),
        )
    ):
        TrackingEvent.objects.create(
            shipment=shipment,
            status=status,
            raw_code=f"e2e-{index}",
            occurred_at=now - timedelta(hours=ago),
            description=description,
            location=location,
            source=TrackingEvent.Source.WEBHOOK,
        )
    invoice = invoice_issue_for_order(order=parcel)
    delivered = billing.make_order(
        store,
        portal_customer,
        order_number="ORD-4990",
        status=S.DELIVERED,
        placed_at=now - timedelta(days=30),
    )
    service = billing.make_order(
        store,
        portal_customer,
        order_number="ORD-5002",
        service="Logo design",
        status=S.IN_PROGRESS,
        lines=((1, "400.00"),),
        placed_at=now - timedelta(days=1),
    )
    return {
        "parcel": parcel,
        "delivered": delivered,
        "service": service,
        "invoice": invoice,
    }


def sign_in(page, base_url, customer):
    """Through the portal's own sign-in, with the customer number."""
    page.goto(f"{base_url}/portal/login/")
    page.get_by_label("Email or customer number").fill(customer.customer_number)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/portal/$"))


def no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_sign_in_with_the_customer_number_and_see_the_active_order(
    new_page,
    live_server,
    portal_customer,
    account,
    artifacts,
):
    page = new_page(**DESKTOP)
    sign_in(page, live_server.url, portal_customer)

    expect(page.get_by_role("heading", name="Overview")).to_be_visible()
    expect(page.locator(".menu-header")).to_contain_text(
        portal_customer.customer_number
    )
    active = page.locator(".pactive-list")
    parcel = active.locator(f"#pactive-{account['parcel'].pk}")
    expect(parcel.get_by_role("link", name="ORD-5001")).to_be_visible()
    expect(parcel.locator(".pactive-status")).to_contain_text("In transit")
    expect(active.locator(f"#pactive-{account['service'].pk}")).to_be_visible()
    expect(active).not_to_contain_text("ORD-4990")  # delivered: not active
    expect(page.locator("[data-quick=invoice]")).to_contain_text(
        account["invoice"].number
    )
    page.screenshot(path=artifacts / "portal-desktop-dashboard.png", full_page=True)


def test_find_an_order_by_number_and_follow_its_parcel(
    new_page,
    live_server,
    portal_customer,
    account,
    artifacts,
):
    page = new_page(**DESKTOP)
    sign_in(page, live_server.url, portal_customer)
    page.get_by_role("link", name="Orders", exact=True).click()
    rows = page.locator(".porder-list .porder-row")
    expect(rows).to_have_count(3)

    page.get_by_role("searchbox", name="Order number").fill("5001")
    page.get_by_role("button", name="Show orders").click()
    expect(page).to_have_url(re.compile(r"[?&]q=5001"))
    expect(rows).to_have_count(1)
    rows.first.get_by_role("link", name="ORD-5001").click()

    expect(page.get_by_role("heading", name="Order ORD-5001")).to_be_visible()
    timeline = page.get_by_role("list", name="Order progress")
    steps = {
        "pending": "done",
        "confirmed": "done",
        "shipped": "current",
        "delivered": "upcoming",
    }
    for step, state in steps.items():
        expect(timeline.locator(f"[data-step={step}]")).to_have_attribute(
            "data-state", state
        )
    expect(timeline.locator("[aria-current=step]")).to_contain_text("Shipped")

    scans = page.get_by_role("list", name="Tracking events, newest first")
    events = scans.locator(".ptracking-event")
    expect(events).to_have_count(2)
    expect(events.first).to_contain_text("Departed terminal")
    expect(events.first).to_contain_text("Solna")
    expect(events.last).to_contain_text("Parcel registered")
    courier = page.get_by_role("link", name="Track with PostNord")
    expect(courier).to_have_attribute("href", "https://tracking.example/SBX5001")
    page.screenshot(path=artifacts / "portal-desktop-order.png", full_page=True)


def test_download_the_invoice_pdf(
    new_page,
    live_server,
    portal_customer,
    account,
):
    invoice = account["invoice"]
    page = new_page(**DESKTOP)
    sign_in(page, live_server.url, portal_customer)
    page.goto(f"{live_server.url}/portal/invoices/")
    page.get_by_role("link", name=invoice.number, exact=True).click()
    expect(
        page.get_by_role("heading", name=f"Invoice {invoice.number}")
    ).to_be_visible()

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download PDF").click()
    download = download_info.value
    assert download.failure() is None
    assert download.url.endswith(f"/portal/invoices/{invoice.pk}/pdf")
    assert download.suggested_filename.endswith(".pdf")
    with open(download.path(), "rb") as file:
        content = file.read()
    assert content.startswith(b"%PDF-")
    text = "\n".join(
        pdf_page.extract_text() for pdf_page in PdfReader(io.BytesIO(content)).pages
    )
    assert invoice.number in text
    assert f"Downloaded by customer {portal_customer.customer_number}" in text


def test_send_a_message_about_an_order(
    new_page,
    live_server,
    portal_customer,
    account,
):
    parcel = account["parcel"]
    page = new_page(**DESKTOP)
    sign_in(page, live_server.url, portal_customer)
    page.goto(f"{live_server.url}/portal/orders/{parcel.pk}/")
    page.get_by_role("link", name="Message about this order").click()
    expect(page.get_by_role("heading", name="Order ORD-5001")).to_be_visible()
    page.wait_for_function("window.htmx !== undefined")
    page.evaluate("window.notReloaded = true")

    body = "Can the courier leave it with my neighbour?"
    page.get_by_label("Reply").fill(body)
    page.get_by_role("button", name="Send").click()

    thread = page.get_by_role("list", name="Messages, oldest first")
    mine = thread.locator(".pm-msg--mine").filter(has_text=body)
    expect(mine).to_be_visible()
    expect(mine.locator(".msg-author")).to_have_text("You")
    expect(page.locator("#pm-thread [role=status]")).to_contain_text("Message sent")
    expect(page.get_by_label("Reply")).to_have_value("")
    assert page.evaluate("window.notReloaded") is True, "the page reloaded"

    message = Message.objects.select_related("thread").get(body=body)
    assert message.direction == Message.Direction.INBOUND
    assert message.channel == Message.Channel.IN_APP
    assert message.visibility == Message.Visibility.PUBLIC
    assert message.thread.order_id == parcel.pk


def test_the_pages_on_a_phone(
    new_page,
    live_server,
    portal_customer,
    account,
    artifacts,
):
    parcel = account["parcel"]
    page = new_page(**PHONE)
    sign_in(page, live_server.url, portal_customer)
    pages = {
        "dashboard": ("/portal/", "Overview"),
        "orders": ("/portal/orders/", "Orders"),
        "order": (f"/portal/orders/{parcel.pk}/", "Order ORD-5001"),
        "invoices": ("/portal/invoices/", "Invoices"),
        "messages": ("/portal/messages/", "Messages"),
    }
    wide = []
    for name, (path, heading) in pages.items():
        page.goto(f"{live_server.url}{path}")
        expect(page.locator("main h1, main h2").first).to_contain_text(heading)
        page.screenshot(path=artifacts / f"portal-phone-{name}.png", full_page=True)
        if not no_sideways_scroll(page):
            wide.append(name)
    assert not wide, f"these pages scroll sideways at 390 px: {wide}"


def test_the_idle_warning_and_stay_signed_in(
    new_page,
    live_server,
    portal_customer,
    account,
    settings,
):
    """6 s of idle time: the warning shows in the last 3 s with no request made;
    "Stay signed in" restarts the clock on the server too, so a page loaded after
    the first 6 s are over is still signed in."""
    settings.PORTAL_SESSION_IDLE_SECONDS = 6
    page = new_page(**DESKTOP)
    sign_in(page, live_server.url, portal_customer)
    page.goto(f"{live_server.url}/portal/invoices/")
    expect(page.get_by_role("heading", name="Invoices", exact=True)).to_be_visible()
    requests = []
    page.on(
        "request",
        lambda request: (
            request.resource_type in ("document", "fetch", "xhr")
            and requests.append(request.url)
        ),
    )

    warning = page.get_by_role("alertdialog")
    expect(warning).to_be_hidden()
    expect(warning).to_be_visible(timeout=6_000)
    expect(warning).to_contain_text("you will be signed out in")
    assert requests == [], "the warning needed a request"

    with page.expect_response(re.compile(r"/portal/session/$")) as keepalive:
        warning.get_by_role("button", name="Stay signed in").click()
    assert keepalive.value.status == 200
    expect(warning).to_be_hidden()

    # 4 s after "Stay signed in" (the countdown says 0:02), 7 s or more after the
    # page was loaded: past the original limit, within the restarted one.
    expect(page.locator("[data-session-countdown]")).to_have_text("0:02", timeout=8_000)
    page.reload()
    expect(page).to_have_url(re.compile(r"/portal/invoices/$"))
    expect(page.get_by_role("heading", name="Invoices", exact=True)).to_be_visible()
