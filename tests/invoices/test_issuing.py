from datetime import date
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction

from invoices.models import Invoice, InvoiceLine, Payment
from invoices.services import (
    AlreadyInvoiced,
    billing_profile,
    invoice_issue_for_order,
    invoice_void,
    payment_record,
)
from orders.models import Order, OrderEvent
from orders.services import order_change_status
from orders.state_machine import OrderStatus
from performile.errors import ApplicationError, Conflict
from performile.models import AuditEvent
from tests.invoices.conftest import make_order

pytestmark = pytest.mark.django_db


def test_an_invoice_carries_the_orders_lines_with_tax_taken_out_of_gross_prices(
    order, staff_user
):
    invoice = invoice_issue_for_order(
        order=order, actor=staff_user, issue_date=date(2026, 3, 2)
    )

    assert invoice.number == "INV-2026-00001"
    assert invoice.due_date == date(2026, 4, 1)
    assert invoice.currency == "EUR"
    assert invoice.order_reference == order.order_number
    lines = list(
        invoice.lines.values_list(
            "quantity", "unit_price", "tax_rate", "net_amount", "tax_amount", "total"
        )
    )
    # 2 × 10.00 gross at 25%: 16.00 net + 4.00 tax; 1 × 30.00: 24.00 + 6.00.
    assert lines == [
        (
            Decimal("2.000"),
            Decimal("8.00"),
            Decimal("25.00"),
            Decimal("16.00"),
            Decimal("4.00"),
            Decimal("20.00"),
        ),
        (
            Decimal("1.000"),
            Decimal("24.00"),
            Decimal("25.00"),
            Decimal("24.00"),
            Decimal("6.00"),
            Decimal("30.00"),
        ),
    ]
    assert (invoice.subtotal, invoice.tax_total, invoice.total) == (
        Decimal("40.00"),
        Decimal("10.00"),
        Decimal("50.00"),
    )
    assert invoice.seller["name"] == "Nordic Goods AB"
    assert invoice.buyer["name"] == "Café Lyktan"
    assert "Sveavägen 5" in invoice.buyer["address"]
    assert not OrderEvent.objects.filter(order=order).exists()
    assert AuditEvent.objects.filter(
        action="invoice.issued", object_id=str(invoice.pk)
    ).exists()


def test_net_prices_get_tax_added(store, buyer, profile):
    profile.prices_include_tax = False
    profile.default_tax_rate = Decimal("12.00")
    profile.save()
    invoice = invoice_issue_for_order(
        order=make_order(store, buyer, lines=((3, "9.99"),))
    )
    assert (invoice.subtotal, invoice.tax_total, invoice.total) == (
        Decimal("29.97"),
        Decimal("3.60"),
        Decimal("33.57"),
    )


def test_charges_beyond_the_lines_become_a_line_so_the_total_is_the_orders_amount(
    store, buyer, profile
):
    invoice = invoice_issue_for_order(
        order=make_order(store, buyer, amount=Decimal("59.00"))
    )
    assert invoice.total == Decimal("59.00")
    assert invoice.lines.last().description == "Shipping and other charges"


def test_an_order_without_lines_is_invoiced_for_its_service_and_amount(
    store, buyer, profile
):
    order = make_order(
        store, buyer, lines=(), amount=Decimal("250.00"), service="Discord bot"
    )
    invoice = invoice_issue_for_order(order=order)
    assert list(invoice.lines.values_list("description", "total")) == [
        ("Discord bot", Decimal("250.00"))
    ]


def test_an_order_is_never_invoiced_twice(order):
    invoice_issue_for_order(order=order)
    with pytest.raises(AlreadyInvoiced):
        invoice_issue_for_order(order=order)
    assert Invoice.objects.filter(order=order).count() == 1


@pytest.mark.parametrize("to", [OrderStatus.CONFIRMED, OrderStatus.PAYMENT_VERIFIED])
def test_confirming_an_order_issues_its_invoice_once(
    order, staff_user, django_capture_on_commit_callbacks, to
):
    with django_capture_on_commit_callbacks(execute=True):
        order_change_status(order=order, to=to, actor=staff_user)
    with django_capture_on_commit_callbacks(execute=True):
        order_change_status(order=order, to=OrderStatus.ON_HOLD, actor=staff_user)
    with django_capture_on_commit_callbacks(execute=True):
        order_change_status(order=order, to=to, actor=staff_user)
    assert Invoice.objects.filter(order=order).count() == 1


def test_an_order_cancelled_before_confirmation_is_not_invoiced(
    order, staff_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        order_change_status(order=order, to=OrderStatus.CANCELLED, actor=staff_user)
    assert not Invoice.objects.filter(order=order).exists()


def test_numbers_run_per_merchant_and_restart_with_a_new_prefix(
    store, buyer, profile, other_store
):
    numbers = [
        invoice_issue_for_order(
            order=make_order(store, buyer), issue_date=date(2026, 12, 30)
        ).number
        for _ in range(2)
    ]
    numbers.append(
        invoice_issue_for_order(
            order=make_order(store, buyer), issue_date=date(2027, 1, 2)
        ).number
    )
    other = invoice_issue_for_order(
        order=make_order(other_store), issue_date=date(2026, 12, 30)
    )
    assert numbers == ["INV-2026-00001", "INV-2026-00002", "INV-2027-00001"]
    assert other.number == "INV-2026-00001"


def test_a_failed_issue_gives_its_number_back(store, buyer, profile):
    with pytest.raises(ApplicationError):
        invoice_issue_for_order(
            order=make_order(store, buyer, lines=(), amount=Decimal("0"))
        )
    assert invoice_issue_for_order(order=make_order(store, buyer)).sequence == 1


def test_an_issued_invoice_cannot_be_changed_or_deleted_even_in_sql(order):
    invoice = invoice_issue_for_order(order=order)
    statements = [
        ("UPDATE invoices_invoice SET total = 1 WHERE id = %s", [invoice.pk]),
        ("UPDATE invoices_invoice SET number = 'X' WHERE id = %s", [invoice.pk]),
        ("DELETE FROM invoices_invoice WHERE id = %s", [invoice.pk]),
        (
            "UPDATE invoices_invoiceline SET total = 0 WHERE invoice_id = %s",
            [invoice.pk],
        ),
        ("DELETE FROM invoices_invoiceline WHERE invoice_id = %s", [invoice.pk]),
        (
            "UPDATE invoices_invoice SET pdf = 'other.pdf' WHERE id = %s AND pdf <> ''",
            [invoice.pk],
        ),
    ]
    Invoice.objects.filter(pk=invoice.pk).update(
        pdf="invoices/first.pdf"
    )  # stored once: allowed
    for sql, params in statements:
        with pytest.raises(IntegrityError, match="immutable"):
            _execute_in_savepoint(sql, params)
    invoice.refresh_from_db()
    assert invoice.total == Decimal("50.00")
    assert invoice.pdf.name == "invoices/first.pdf"
    assert InvoiceLine.objects.filter(invoice=invoice).count() == 2


def _execute_in_savepoint(sql, params):
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)
        if cursor.rowcount == 0:  # matched nothing: the test itself is wrong
            raise AssertionError(f"{sql} matched no row")


def test_void_only_before_any_payment(order, staff_user):
    invoice = invoice_issue_for_order(order=order)
    payment_record(
        merchant=order.merchant,
        invoice=invoice,
        amount=Decimal("5"),
        currency="EUR",
        method="cash",
        actor=staff_user,
    )
    with pytest.raises(Conflict, match="payments"):
        invoice_void(invoice=invoice, actor=staff_user, reason="Wrong customer")


def test_voiding_keeps_the_number_and_lets_the_order_be_invoiced_again(
    order, staff_user
):
    invoice = invoice_issue_for_order(order=order)
    with pytest.raises(ApplicationError):
        invoice_void(invoice=invoice, actor=staff_user, reason=" ")
    invoice_void(invoice=invoice, actor=staff_user, reason="Wrong customer")
    invoice.refresh_from_db()
    assert invoice.is_void
    assert invoice.voided_by == staff_user
    assert AuditEvent.objects.filter(action="invoice.voided", actor=staff_user).exists()
    again = invoice_issue_for_order(order=order)
    assert again.number == f"INV-{again.issue_date.year}-00002"


def test_a_payment_before_the_invoice_waits_on_the_order_and_moves_it_on(
    order, staff_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        payment = payment_record(
            merchant=order.merchant,
            order=order,
            amount=Decimal("50.00"),
            currency="EUR",
            method="bank_transfer",
            reference="OCR 1234",
            actor=staff_user,
        )
    order.refresh_from_db()
    assert order.status == OrderStatus.PAYMENT_VERIFIED
    invoice = Invoice.objects.get(order=order)  # issued on payment verified
    payment.refresh_from_db()
    assert payment.invoice == invoice
    assert payment.customer == order.customer


def test_a_payment_in_another_currency_is_refused(order):
    invoice = invoice_issue_for_order(order=order)
    with pytest.raises(ApplicationError, match="SEK"):
        payment_record(
            merchant=order.merchant,
            invoice=invoice,
            amount=Decimal("5"),
            currency="SEK",
            method="cash",
        )
    assert not Payment.objects.exists()


@pytest.mark.parametrize("amount", ["0", "abc", "1.234", "NaN"])
def test_a_bad_amount_is_refused(order, amount):
    with pytest.raises(ApplicationError):
        payment_record(
            merchant=order.merchant,
            order=order,
            amount=amount,
            currency="EUR",
            method="cash",
        )


def test_the_billing_profile_is_made_with_defaults(merchant):
    profile = billing_profile(merchant)
    assert profile.invoice_prefix == "INV-{year}-"
    assert profile.payment_terms_days == 30


def test_the_hourly_sweep_invoices_confirmed_orders_the_receiver_missed(
    store, buyer, profile
):
    from invoices.receivers import invoice_missed_orders

    missed = make_order(store, buyer, status=OrderStatus.CONFIRMED)
    pending = make_order(store, buyer)
    voided = make_order(store, buyer, status=OrderStatus.CONFIRMED)
    invoice_void(
        invoice=invoice_issue_for_order(order=voided), actor=None, reason="Wrong"
    )

    assert invoice_missed_orders() == 1
    assert Invoice.objects.filter(order=missed).count() == 1
    assert not Invoice.objects.filter(order=pending).exists()
    assert Invoice.objects.filter(order=voided).count() == 1  # not reissued
    assert invoice_missed_orders() == 0


def test_a_payment_reads_the_orders_status_fresh(order, staff_user):
    stale = Order.objects.get(pk=order.pk)  # still pending in this copy
    order_change_status(order=order, to=OrderStatus.CONFIRMED, actor=staff_user)

    payment = payment_record(
        merchant=order.merchant,
        order=stale,
        amount=Decimal("50.00"),
        currency="EUR",
        method="bank_transfer",
        actor=staff_user,
    )

    assert Payment.objects.filter(pk=payment.pk).exists()
    order.refresh_from_db()
    assert order.status == OrderStatus.CONFIRMED


def test_cancelling_an_unpaid_invoiced_order_voids_its_invoice(
    order, staff_user, django_capture_on_commit_callbacks
):
    """However an order is cancelled, nothing is owed on it: no reminder, no debt
    in the portal."""
    with django_capture_on_commit_callbacks(execute=True):
        order_change_status(order=order, to=OrderStatus.CONFIRMED, actor=staff_user)
    with django_capture_on_commit_callbacks(execute=True):
        order_change_status(
            order=order, to=OrderStatus.CANCELLED, actor=staff_user, note="Out of stock"
        )
    invoice = Invoice.objects.get(order=order)
    assert (invoice.state, invoice.void_reason) == (Invoice.State.VOID, "Out of stock")


def test_cancelling_a_paid_order_credits_its_invoice_instead(
    order, staff_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        order_change_status(order=order, to=OrderStatus.CONFIRMED, actor=staff_user)
    invoice = Invoice.objects.get(order=order)
    payment_record(
        merchant=order.merchant,
        invoice=invoice,
        amount=invoice.total,
        currency=invoice.currency,
        method="card",
    )
    with django_capture_on_commit_callbacks(execute=True):
        order_change_status(order=order, to=OrderStatus.CANCELLED, actor=staff_user)
    invoice.refresh_from_db()
    assert invoice.state == Invoice.State.ISSUED
    assert invoice.credit_notes.get().total == invoice.total
    assert invoice.credit_notes.get().reason == "Order cancelled."
