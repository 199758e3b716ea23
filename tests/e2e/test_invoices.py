"""Invoices in a browser: staff record a payment on an invoice and see it paid;
the invoice list on a phone."""

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from invoices.services import invoice_issue_for_order, merchant_today
from tests.e2e.test_orders_view import PHONE, sign_in
from tests.invoices import conftest as billing

pytestmark = pytest.mark.browser

# The billing fixtures of tests/invoices (a billing profile, a customer).
buyer = billing.buyer
profile = billing.profile
make_order = billing.make_order


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def invoices(store, buyer, profile):
    """Two invoices of Café Lyktan: one to pay, one long overdue."""
    today = merchant_today(store.merchant)
    due = invoice_issue_for_order(order=make_order(store, buyer))
    invoice_issue_for_order(
        order=make_order(store, buyer, lines=((3, "20.00"),)),
        issue_date=today - timedelta(days=45),
    )
    return due


def test_staff_record_a_payment_and_see_the_invoice_paid(
    new_page, live_server, staff_user, invoices, artifacts
):
    page = new_page(viewport={"width": 1360, "height": 900})
    sign_in(page, live_server.url, staff_user)

    page.get_by_role("link", name="Invoices", exact=True).first.click()
    expect(page.get_by_role("heading", name="Invoices")).to_be_visible()
    expect(page.locator("[data-total=outstanding]")).to_have_text("€110.00")
    expect(page.locator("[data-total=overdue]")).to_have_text("€60.00")

    page.get_by_role("link", name=invoices.number).click()
    detail = page.locator("#invoice-detail")
    expect(
        detail.get_by_role("heading", name=f"Invoice {invoices.number}")
    ).to_be_visible()
    expect(detail.locator("[data-invoice-status]")).to_have_text("Pending")

    detail.get_by_role("link", name="Record payment").click()
    dialog = page.locator("#action-dialog")
    expect(dialog.get_by_role("heading", name="Record payment")).to_be_visible()
    expect(dialog.get_by_label("Amount (EUR)")).to_have_value("50.00")
    dialog.get_by_label("Reference (optional)").fill("BANK-2044")
    dialog.get_by_role("button", name="Record payment").click()

    expect(dialog).to_be_hidden()
    expect(page.locator("#toasts")).to_contain_text("Payment of 50.00 EUR recorded.")
    detail = page.locator("#invoice-detail")
    expect(detail.locator("[data-invoice-status]")).to_have_text("Paid")
    expect(detail.locator("[data-payments]")).to_contain_text("BANK-2044")
    expect(detail).to_contain_text("Nothing outstanding")
    page.screenshot(path=artifacts / "invoice-paid-desktop.png")


def test_the_invoice_list_on_a_phone(
    new_page, live_server, staff_user, invoices, artifacts
):
    page = new_page(**PHONE)
    sign_in(page, live_server.url, staff_user)
    page.goto(f"{live_server.url}/invoices/")

    rows = page.locator("#invoices-table tbody tr")
    expect(rows).to_have_count(2)
    expect(page.locator("#invoices-table thead")).to_be_hidden()
    card = rows.first.bounding_box()
    assert card["width"] <= 390
    expect(rows.first.locator("[data-label=Status] .badge")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=artifacts / "invoices-phone.png", full_page=True)


def test_issue_an_invoice_from_the_order_drawer(
    new_page, live_server, staff_user, store, buyer, profile, artifacts
):
    order = make_order(store, buyer, order_number="ORD-7001")
    page = new_page(viewport={"width": 1360, "height": 900})
    sign_in(page, live_server.url, staff_user)

    page.get_by_role("link", name="ORD-7001", exact=True).click()
    panel = page.locator("#drawer [data-invoice-panel]")
    expect(
        panel.get_by_role("link", name="Download order confirmation")
    ).to_be_visible()
    panel.get_by_role("button", name="Issue invoice").click()
    expect(page.locator("#toasts")).to_contain_text("issued.")

    invoice = order.invoices.get()
    expect(panel.get_by_role("link", name=invoice.number)).to_be_visible()
    expect(panel.locator("[data-invoice-status]")).to_have_text("Pending")
    expect(panel.get_by_role("button", name="Issue invoice")).to_have_count(0)
    expect(page.locator("#toasts")).to_contain_text(f"Invoice {invoice.number}")
    page.locator("#drawer [data-invoice-panel]").scroll_into_view_if_needed()
    page.screenshot(path=artifacts / "invoice-drawer-desktop.png")
