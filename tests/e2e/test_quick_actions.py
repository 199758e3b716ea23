"""The row menu's quick actions in a browser: notify, edit and delete, each in the
action dialog, with a toast and the row updated in place."""

import pytest
from playwright.sync_api import expect

from orders.models import Customer, Order
from orders.state_machine import OrderStatus
from orders.tracking import TrackingStatus
from performile.models import OutboxMessage
from tests.e2e.test_orders_view import sign_in
from tests.factories import OrderFactory

pytestmark = pytest.mark.browser


@pytest.fixture
def shipped(store):
    customer = Customer.objects.create(
        merchant=store.merchant, name="Eva Lind", email="eva@example.com"
    )
    return OrderFactory(
        store=store,
        customer=customer,
        order_number="ORD-555",
        status=OrderStatus.SHIPPED,
        tracking_number="370123456789",
        courier="PostNord",
        tracking_url="https://tracking.example/370123456789",
        tracking_status=TrackingStatus.IN_TRANSIT,
        notes="Leave at the door",
    )


def open_action(page, order, name):
    row = page.locator(f"#order-{order.pk}")
    row.locator("summary").click()
    row.get_by_role("menuitem", name=name).click()
    dialog = page.locator("#action-dialog")
    expect(dialog).to_be_visible()
    return dialog


def test_notify_edit_and_delete_from_the_row_menu(
    new_page, asgi_server, staff_user, shipped, artifacts
):
    page = new_page()
    sign_in(page, asgi_server, staff_user)
    row = page.locator(f"#order-{shipped.pk}")
    menu = row.locator("summary")
    menu.click()
    expect(row.get_by_role("menuitem", name="Book shipment")).to_be_hidden()
    expect(row.get_by_role("menuitem", name="File claim")).to_be_hidden()
    expect(row.get_by_role("menuitem", name="Track shipment")).to_be_visible()
    page.screenshot(path=artifacts / "row-menu.png")
    menu.click()

    dialog = open_action(page, shipped, "Send notification")
    expect(dialog).to_contain_text("eva@example.com")
    dialog.get_by_role("button", name="Send now").click()
    expect(dialog).to_be_hidden()
    expect(page.locator(".toast").filter(has_text="eva@example.com")).to_be_visible()
    assert OutboxMessage.objects.filter(
        order_id=shipped.pk, channel="email", recipient="eva@example.com"
    ).exists()

    dialog = open_action(page, shipped, "Edit order")
    notes = dialog.get_by_label("Notes")
    expect(notes).to_have_value("Leave at the door")
    notes.fill("Ring twice")
    dialog.get_by_role("button", name="Save changes").click()
    expect(dialog).to_be_hidden()
    expect(page.locator(".toast").filter(has_text="ORD-555 updated")).to_be_visible()
    shipped.refresh_from_db()
    assert shipped.notes == "Ring twice"

    dialog = open_action(page, shipped, "Delete order")
    expect(dialog).to_contain_text("Delete order ORD-555?")
    page.screenshot(path=artifacts / "delete-dialog.png")
    dialog.get_by_role("button", name="Delete order").click()
    expect(dialog).to_be_hidden()
    expect(row).to_have_count(0)
    expect(page.locator(".toast").filter(has_text="ORD-555 deleted")).to_be_visible()
    assert Order.objects.get(pk=shipped.pk).deleted_at is not None
