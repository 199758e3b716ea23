"""The Orders table in a browser, at 1440 px and on a phone: sorting, the count,
the reasons an order needs action, saved views, bulk status and the CSV export
(docs/orders-view.md)."""

import csv
import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from orders.models import Order
from orders.state_machine import OrderStatus
from tests.e2e.test_orders_view import PHONE, rows, sign_in
from tests.factories import CustomerFactory, OrderFactory, OrderLineFactory

pytestmark = pytest.mark.browser

S = OrderStatus
DESKTOP = {"viewport": {"width": 1440, "height": 900}}


@pytest.fixture
def day(store, second_store, merchant):
    """Four open orders, each needing something else, and a delivered one."""
    astrid = CustomerFactory(merchant=merchant, name="Astrid Lind")
    OrderFactory(
        store=store,
        order_number="T-100",
        customer=astrid,
        status=S.CONFIRMED,
        amount=Decimal("80.00"),
    )
    OrderFactory(
        store=store,
        order_number="T-200",
        status=S.SHIPPED,
        amount=Decimal("1250.00"),
        tracking_number="370000000001",
        courier="PostNord",
        tracking_status="exception",
        tracking_event="Address unknown",
    )
    OrderFactory(
        store=second_store,
        order_number="T-300",
        status=S.PAYMENT_VERIFIED,
        amount=Decimal("15.50"),
        tracking_number="370000000002",
        courier="PostNord",
        tracking_status="in_transit",
    )
    renumbered = OrderFactory(
        store=store,
        order_number="T-400",
        status=S.PENDING,
        amount=Decimal("300.00"),
        tracking_number="370000000003",
        review_reason="Number T-100 was already taken; saved as T-400.",
    )
    OrderLineFactory(order=renumbered, quantity=4)
    OrderFactory(store=store, order_number="T-500", status=S.DELIVERED)


def numbers(page) -> list[str]:
    return rows(page).locator(".order-link").all_inner_texts()


def test_sort_count_reasons_and_saved_views_at_1440(
    new_page, live_server, staff_user, day, artifacts
):
    page = new_page(**DESKTOP)
    sign_in(page, live_server.url, staff_user)

    # The count and what the default view leaves out.
    expect(page.locator("[data-count]")).to_contain_text("1–4 of 4 open orders")
    expect(page.locator("[data-scope]")).to_contain_text("delivered, complete")
    expect(rows(page)).to_have_count(4)

    # Each reason is said on its row.
    row = rows(page).filter(has_text="T-200")
    expect(row.locator("[data-reason]")).to_have_text("Courier exception")
    expect(rows(page).filter(has_text="T-100")).to_contain_text("No tracking")
    expect(rows(page).filter(has_text="T-400")).to_contain_text("Duplicate number")
    expect(rows(page).filter(has_text="T-400").locator("[data-items]")).to_have_text(
        "4"
    )
    expect(rows(page).filter(has_text="T-200").locator("[data-total]")).to_have_text(
        "€1,250.00"
    )
    page.screenshot(path=artifacts / "orders-table-desktop.png", full_page=True)

    # Sorting by total, one way and back.
    page.locator("[data-sort-link='Total']").click()
    expect(page).to_have_url(re.compile(r"sort=total"))
    expect(rows(page).first).to_contain_text("T-300")
    assert numbers(page) == ["T-300", "T-100", "T-400", "T-200"]
    page.locator("[data-sort-link='Total']").click()
    expect(page).to_have_url(re.compile(r"sort=-total"))
    expect(rows(page).first).to_contain_text("T-200")
    expect(page.locator("#filter_sort")).to_have_value("-total")

    # A filter per reason.
    page.locator("#filter_reason").select_option(label="Courier exception")
    expect(rows(page)).to_have_count(1)
    expect(page).to_have_url(re.compile(r"reason=exception"))
    expect(page.locator("[data-count]")).to_contain_text("1–1 of 1 open order")

    # Saving the view, renaming it, deleting it.
    page.locator("[data-save-view] summary").click()
    page.get_by_label("Name this view").fill("Parcels in trouble")
    page.locator("[data-save-view] form").get_by_role("button").click()
    tab = page.locator(".view-tab", has_text="Parcels in trouble")
    expect(tab).to_have_attribute("aria-current", "page")
    expect(page.locator("#toasts")).to_contain_text("saved")
    expect(rows(page)).to_have_count(1)
    page.screenshot(path=artifacts / "orders-saved-view-desktop.png")

    page.locator("[data-view='All orders']").click()
    expect(rows(page)).to_have_count(5)
    expect(page.locator("[data-count]")).to_contain_text("1–5 of 5 orders")
    tab.click()
    expect(rows(page)).to_have_count(1)
    page.locator("[data-manage-view] summary").click()
    page.locator("[data-manage-view]").get_by_role("textbox").fill("Exceptions (mine)")
    page.locator("[data-manage-view]").get_by_role("button", name="Rename").click()
    expect(page.locator(".view-tab", has_text="Exceptions (mine)")).to_be_visible()
    page.locator("[data-manage-view] summary").click()
    page.locator("[data-manage-view]").get_by_role("button", name="Delete view").click()
    expect(page.locator(".view-tab--mine")).to_have_count(0)


def test_sort_count_reasons_and_views_on_a_phone(
    new_page, live_server, staff_user, day, artifacts
):
    page = new_page(**PHONE)
    sign_in(page, live_server.url, staff_user)

    expect(page.locator("[data-count]")).to_contain_text("1–4 of 4 open orders")
    expect(rows(page).filter(has_text="T-200")).to_contain_text("Courier exception")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.screenshot(path=artifacts / "orders-table-phone.png", full_page=True)

    # A built-in view.
    page.locator("[data-view='Needs booking']").click()
    expect(rows(page)).to_have_count(1)
    expect(rows(page).first).to_contain_text("T-100")
    expect(page.locator("[data-view='Needs booking']")).to_have_attribute(
        "aria-current", "page"
    )

    # No headers on a phone: the sort is in the filter bar.
    page.locator("[data-view='All orders']").click()
    expect(rows(page)).to_have_count(5)
    page.locator("#filter_sort").select_option("-total")
    expect(page).to_have_url(re.compile(r"sort=-total"))
    expect(rows(page).first).to_contain_text("T-200")
    assert numbers(page) == ["T-200", "T-400", "T-500", "T-100", "T-300"]

    # Saving it as one's own view.
    page.locator("[data-save-view] summary").click()
    page.get_by_label("Name this view").fill("Everything by total")
    page.locator("[data-save-view] form").get_by_role("button").click()
    expect(page.locator(".view-tab", has_text="Everything by total")).to_have_attribute(
        "aria-current", "page"
    )
    expect(rows(page).first).to_contain_text("T-200")
    page.screenshot(path=artifacts / "orders-saved-view-phone.png", full_page=True)


def test_bulk_status_and_csv_export_of_the_filtered_list(
    new_page, live_server, staff_user, day, artifacts
):
    page = new_page(**DESKTOP, accept_downloads=True)
    sign_in(page, live_server.url, staff_user)

    # Three selected: two can be put on hold, the shipped one cannot.
    bar = page.locator("[data-bulk-bar]")
    expect(bar).to_be_hidden()
    for number in ("T-100", "T-300", "T-200"):
        page.get_by_label(f"Select order {number}").check()
    expect(bar).to_be_visible()
    expect(bar.locator("[data-bulk-count]")).to_have_text("3")
    page.screenshot(path=artifacts / "orders-bulk-desktop.png")
    bar.get_by_label("Move the selected orders to").select_option(label="Cancelled")
    bar.get_by_role("button", name="Apply").click()
    toasts = page.locator("#toasts")
    expect(toasts).to_contain_text("2 orders moved to Cancelled")
    expect(toasts).to_contain_text("Order T-200 not changed")
    expect(rows(page).filter(has_text="T-200")).to_have_count(1)
    expect(rows(page).filter(has_text="T-100")).to_have_count(0)  # closed: gone
    assert set(
        Order.objects.filter(order_number__in=["T-100", "T-300", "T-200"]).values_list(
            "order_number", "status"
        )
    ) == {("T-100", S.CANCELLED), ("T-300", S.CANCELLED), ("T-200", S.SHIPPED)}

    # The export is the filtered list, every row of it.
    page.locator("#filter_reason").select_option(label="Duplicate number")
    expect(rows(page)).to_have_count(1)
    with page.expect_download() as download:
        page.locator("[data-export]").click()
    saved = download.value.path()
    with open(saved, newline="", encoding="utf-8-sig") as file:
        table = list(csv.DictReader(file))
    assert [row["Order number"] for row in table] == ["T-400"]
    assert "Duplicate number" in table[0]["Action needed"]
    assert download.value.suggested_filename.endswith(".csv")
