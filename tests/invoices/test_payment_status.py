"""Payment status over time: derived from the total, what was paid and credited
(kept on the invoice by the database) and the merchant's calendar, never stored."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
import time_machine

from invoices.selectors import visible_invoices
from invoices.services import (
    credit_note_issue,
    invoice_issue_for_order,
    invoice_void,
    payment_record,
)
from tests.factories import UserFactory
from tests.invoices.conftest import make_order

pytestmark = pytest.mark.django_db

BEFORE_DUE = datetime(2026, 3, 20, 12, tzinfo=UTC)
AFTER_DUE = datetime(2026, 4, 10, 12, tzinfo=UTC)


@pytest.fixture
def invoice(order):
    """50.00 EUR, issued 2 March 2026, due 1 April; merchant in Europe/Stockholm."""
    return invoice_issue_for_order(order=order, issue_date=date(2026, 3, 2))


def status(user, invoice, at=None):
    row = visible_invoices(user, at=at).get(pk=invoice.pk)
    return row.payment_status, row.outstanding


def pay(invoice, amount):
    return payment_record(
        merchant=invoice.merchant,
        invoice=invoice,
        amount=Decimal(amount),
        currency="EUR",
        method="bank_transfer",
    )


def test_pending_before_the_due_date_and_overdue_after(invoice, staff_user):
    with time_machine.travel(BEFORE_DUE, tick=False):
        assert status(staff_user, invoice) == ("pending", Decimal("50.00"))
    with time_machine.travel(AFTER_DUE, tick=False):
        assert status(staff_user, invoice) == ("overdue", Decimal("50.00"))
    assert status(staff_user, invoice, BEFORE_DUE) == ("pending", Decimal("50.00"))


def test_paid_once_paid_in_full_even_after_the_due_date(invoice, staff_user):
    pay(invoice, "50.00")
    assert status(staff_user, invoice, BEFORE_DUE) == ("paid", Decimal("0.00"))
    assert status(staff_user, invoice, AFTER_DUE) == ("paid", Decimal("0.00"))


def test_a_partial_payment_leaves_the_rest_outstanding(invoice, staff_user):
    pay(invoice, "20.00")
    assert status(staff_user, invoice, BEFORE_DUE) == ("pending", Decimal("30.00"))
    assert status(staff_user, invoice, AFTER_DUE) == ("overdue", Decimal("30.00"))


def test_an_overpayment_is_paid_with_a_negative_outstanding(invoice, staff_user):
    pay(invoice, "60.00")
    assert status(staff_user, invoice, AFTER_DUE) == ("paid", Decimal("-10.00"))


def test_a_refund_reopens_what_it_gives_back(invoice, staff_user):
    pay(invoice, "50.00")
    pay(invoice, "-15.00")
    assert status(staff_user, invoice, AFTER_DUE) == ("overdue", Decimal("15.00"))


def test_a_credit_note_reduces_the_outstanding(invoice, staff_user):
    credit_note_issue(
        invoice=invoice, actor=staff_user, reason="Late", amount=Decimal("10.00")
    )
    assert status(staff_user, invoice, BEFORE_DUE) == ("pending", Decimal("40.00"))
    pay(invoice, "40.00")
    assert status(staff_user, invoice, AFTER_DUE) == ("paid", Decimal("0.00"))


def test_a_voided_invoice_is_void(invoice, staff_user):
    invoice_void(invoice=invoice, actor=staff_user, reason="Wrong order")
    assert status(staff_user, invoice, BEFORE_DUE)[0] == "void"
    assert status(staff_user, invoice, AFTER_DUE)[0] == "void"


def test_the_due_date_ends_at_midnight_in_the_merchants_zone(invoice, staff_user):
    """Due 1 April: at 22:30 UTC that day it is already 2 April in Stockholm (CEST),
    so the invoice is overdue, though UTC's calendar still says 1 April."""
    assert status(staff_user, invoice, datetime(2026, 4, 1, 21, 30, tzinfo=UTC)) == (
        "pending",
        Decimal("50.00"),
    )
    assert status(staff_user, invoice, datetime(2026, 4, 1, 22, 30, tzinfo=UTC)) == (
        "overdue",
        Decimal("50.00"),
    )


def test_the_customer_sees_the_same_status(invoice, buyer, staff_user):
    buyer.user = UserFactory(username="cafe")
    buyer.save(update_fields=["user"])
    pay(invoice, "20.00")
    assert status(buyer.user, invoice, AFTER_DUE) == ("overdue", Decimal("30.00"))


def test_the_order_of_events_over_time(store, buyer, profile, staff_user):
    """Issued, partly paid before the due date, overdue, then paid off."""
    order = make_order(store, buyer, lines=((1, "100.00"),))
    with time_machine.travel(datetime(2026, 3, 2, 9, tzinfo=UTC), tick=False):
        invoice = invoice_issue_for_order(order=order)
        assert status(staff_user, invoice) == ("pending", Decimal("100.00"))
    with time_machine.travel(datetime(2026, 3, 25, 9, tzinfo=UTC), tick=False):
        pay(invoice, "40.00")
        assert status(staff_user, invoice) == ("pending", Decimal("60.00"))
    with time_machine.travel(datetime(2026, 4, 2, 9, tzinfo=UTC), tick=False):
        assert status(staff_user, invoice) == ("overdue", Decimal("60.00"))
        pay(invoice, "60.00")
        assert status(staff_user, invoice) == ("paid", Decimal("0.00"))
