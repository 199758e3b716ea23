"""What has been paid and credited of an invoice is kept on it by the database:
every payment and credit note adds to it, however it was written, and nothing else
may change it."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction

from invoices.models import Invoice, Payment
from invoices.services import credit_note_issue, invoice_issue_for_order, payment_record
from orders.customers import customer_merge
from tests.factories import CustomerFactory
from tests.invoices.conftest import make_order

pytestmark = pytest.mark.django_db


def sums(invoice) -> tuple[Decimal, Decimal]:
    invoice.refresh_from_db()
    return invoice.paid_amount, invoice.credited_amount


def pay(merchant, amount, **where):
    return payment_record(
        merchant=merchant,
        amount=Decimal(amount),
        currency="EUR",
        method=Payment.Method.BANK_TRANSFER,
        **where,
    )


def test_payments_refunds_and_credit_notes_add_up(invoice, merchant):
    assert sums(invoice) == (Decimal("0.00"), Decimal("0.00"))
    pay(merchant, "30.00", invoice=invoice)
    pay(merchant, "20.00", invoice=invoice)
    pay(merchant, "-5.00", invoice=invoice)  # a refund
    credit_note_issue(
        invoice=invoice, actor=None, amount=Decimal("10.00"), reason="Dented"
    )
    assert sums(invoice) == (Decimal("45.00"), Decimal("10.00"))


def test_a_payment_before_its_invoice_counts_once_allocated(order, merchant):
    pay(merchant, "50.00", order=order)
    invoice = invoice_issue_for_order(order=order)
    assert sums(invoice) == (Decimal("50.00"), Decimal("0.00"))


def test_rows_written_in_sql_count_too(invoice, merchant):
    """The bench and any bulk load write payments with one INSERT of many rows."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO invoices_payment
                (merchant_id, invoice_id, amount, currency, method, reference,
                 provider_id, received_at, recorded_at, note)
            SELECT %s, %s, 12.50, 'EUR', 'card', '', '', now(), now(), ''
            FROM generate_series(1, 3)
            """,
            [merchant.pk, invoice.pk],
        )
    assert sums(invoice) == (Decimal("37.50"), Decimal("0.00"))


def test_a_customer_merge_moves_nothing(invoice, merchant, buyer, staff_user):
    pay(merchant, "20.00", invoice=invoice, customer=buyer)
    credit_note_issue(
        invoice=invoice, actor=None, amount=Decimal("5.00"), reason="Late"
    )
    into = CustomerFactory(merchant=merchant)
    customer_merge(customer=buyer, into=into, actor=staff_user)
    assert sums(invoice) == (Decimal("20.00"), Decimal("5.00"))


def test_the_sums_cannot_be_written_by_anyone_else(invoice, merchant):
    pay(merchant, "50.00", invoice=invoice)
    with pytest.raises(IntegrityError), transaction.atomic():
        Invoice.objects.filter(pk=invoice.pk).update(paid_amount=Decimal("0.00"))
    other = make_order(invoice.store, invoice.customer)
    stated = Invoice(
        **{
            field.attname: getattr(invoice, field.attname)
            for field in Invoice._meta.concrete_fields
            if field.attname not in ("id", "order_id", "number", "sequence")
        }
    )
    stated.order_id = other.pk
    stated.number, stated.sequence = "INV-STATED", 999
    stated.paid_amount = Decimal("999.00")
    stated.save()
    assert sums(stated) == (Decimal("0.00"), Decimal("0.00"))
    assert sums(invoice) == (Decimal("50.00"), Decimal("0.00"))
