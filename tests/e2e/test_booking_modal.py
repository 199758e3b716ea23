"""The "Book shipment" modal against the real sandbox courier: choose a service,
confirm the details, book, and download the label."""

from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from orders.state_machine import OrderStatus
from shipments.models import Shipment
from tests.e2e.test_orders_view import sign_in
from tests.factories import OrderFactory
from tests.shipments.factories import ADDRESS, CourierAccountFactory

pytestmark = pytest.mark.browser


@pytest.fixture
def bookable(store, sandbox_courier, sandbox_api_key):
    store.pickup_address = {**ADDRESS, "name": "Nordic Goods warehouse"}
    store.save()
    CourierAccountFactory(
        merchant=store.merchant,
        name="Sandbox Post",
        base_url=sandbox_courier,
        api_key=sandbox_api_key,
    )
    return OrderFactory(
        store=store,
        order_number="ORD-777",
        status=OrderStatus.PAYMENT_VERIFIED,
        delivery_address=ADDRESS,
        package={"weight_kg": "2"},
    )


def test_book_a_shipment_and_download_the_label(
    new_page, live_server, staff_user, bookable, artifacts
):
    page = new_page(accept_downloads=True)
    sign_in(page, live_server.url, staff_user)
    row = page.locator(f"#order-{bookable.pk}")
    expect(row).to_contain_text("No tracking")

    # Step 1: courier and service, with price and transit time.
    row.get_by_role("link", name="Book shipment").click()
    dialog = page.locator("#action-dialog")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("Sandbox Home Delivery")
    dialog.get_by_text("Sandbox Parcel Shop").click()
    dialog.get_by_role("button", name="Continue").click()

    # Step 2: the addresses and parcel come prefilled from the store and order.
    expect(dialog.get_by_label("Name").first).to_have_value("Nordic Goods warehouse")
    expect(dialog.locator("#book_recipient_city")).to_have_value("Stockholm")
    expect(dialog.get_by_label("Weight (kg)")).to_have_value("2")
    page.screenshot(path=artifacts / "booking-details.png")
    dialog.get_by_role("button", name="Book shipment").click()

    # Step 4: tracking number and label; the row behind shows the tracking.
    expect(dialog).to_contain_text("Shipment booked")
    shipment = Shipment.objects.get(order=bookable)
    expect(dialog.locator("[data-tracking-number]")).to_have_text(
        shipment.tracking_number
    )
    expect(row).to_contain_text(shipment.tracking_number)
    expect(row).to_contain_text("Confirmed")
    expect(row).to_contain_text(  # still in the merchant's time zone
        bookable.placed_at.astimezone(ZoneInfo("Europe/Stockholm")).strftime("%H:%M")
    )
    page.screenshot(path=artifacts / "booking-done.png")
    with page.expect_download() as download_info:
        dialog.get_by_role("link", name="Download label").click()
    download = download_info.value
    assert download.suggested_filename == f"label-{shipment.tracking_number}.pdf"
    assert Path(download.path()).read_bytes()[:5] == b"%PDF-"
