"""The row menu and the Courier column through live updates: a bulk booking made
while the Orders view is open fills the row's courier and label without a reload,
and later live updates (a courier scan) keep "Download label" in the row menu."""

import pytest
from playwright.sync_api import expect

from shipments.bulk import bulk_booking_start
from shipments.couriers.base import ServiceType
from shipments.models import CourierAccount, Shipment
from tests.e2e.test_booking_modal import bookable  # noqa: F401 (a fixture)
from tests.e2e.test_live_updates import post_scan
from tests.e2e.test_orders_view import sign_in

pytestmark = pytest.mark.browser


def test_a_booking_reaches_the_open_view_and_the_label_stays_in_the_menu(
    new_page,
    asgi_server,
    staff_user,
    bookable,  # noqa: F811 (the fixture imported above)
    eager_celery,
    artifacts,
):
    order = bookable
    account = CourierAccount.objects.get(merchant=order.merchant)
    page = new_page(accept_downloads=True, viewport={"width": 1440, "height": 900})
    sign_in(page, asgi_server, staff_user)
    expect(page.locator("[data-live-status]")).to_have_attribute("data-mode", "live")
    row = page.locator(f"#order-{order.pk}")
    courier = row.locator('[data-cell="courier"]')
    label = row.get_by_role("menuitem", name="Download label")
    expect(courier).to_have_text("—")
    expect(label).to_be_hidden()

    # Booked in bulk (the job runs at once here): the open row learns of it live.
    bulk_booking_start(
        user=staff_user,
        account=account,
        service_code="SBX_HOME",
        service_type=ServiceType.HOME,
        order_ids=[order.pk],
    )
    shipment = Shipment.objects.get(order=order)
    expect(courier).to_have_text("Sandbox Post")
    expect(row).to_contain_text(shipment.tracking_number)
    menu = row.locator("details.row-menu summary")
    menu.click()
    expect(label).to_be_visible()
    expect(label).to_have_attribute("href", f"/api/shipments/{shipment.pk}/label")
    page.keyboard.press("Escape")

    # A later live update (the courier's first scan) leaves the label in place.
    post_scan(
        asgi_server,
        account,
        "PICKED_UP",
        "Departed terminal",
        "Solna",
        "2026-11-21T09:00:00+01:00",
        number=shipment.tracking_number,
    )
    expect(row.locator("[data-badge]")).to_have_text("In transit")
    expect(courier).to_have_text("Sandbox Post")
    menu.click()
    expect(label).to_be_visible()
    page.screenshot(path=artifacts / "live-label-in-menu.png")
    with page.expect_download() as download_info:
        label.click()
    download = download_info.value
    assert download.suggested_filename == f"label-{shipment.tracking_number}.pdf"
