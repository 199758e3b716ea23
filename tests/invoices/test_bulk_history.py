"""A past written in bulk (the demo's invoices and payments) is what the one-by-one
services write for the same orders, dates and times."""

from datetime import timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.forms.models import model_to_dict

from demo.orders.story import clock
from invoices.models import Invoice, InvoiceLine, NumberSequence, Payment
from invoices.receivers import CONFIRMED
from invoices.services import invoice_issue_for_order, payment_record
from invoices.services.issuing import InvoiceIssue, invoices_issue_for_orders
from invoices.services.payments import InvoicePayment, payments_record_on_invoices
from orders.models import Order, OrderEvent
from performile.errors import ApplicationError
from performile.models import AuditEvent

pytestmark = pytest.mark.django_db

SKIP = {"id", "invoice", "pdf"}


@pytest.fixture
def orders(db):
    call_command("demo_data", orders=50, stdout=StringIO())
    return list(
        Order.objects.filter(status__in=CONFIRMED)
        .exclude(customer=None)
        .order_by("placed_at", "pk")
    )


def _issues(orders) -> list[InvoiceIssue]:
    return [
        InvoiceIssue(
            order=order,
            issue_date=(order.placed_at + timedelta(minutes=30)).date(),
            issued_at=order.placed_at + timedelta(minutes=30),
        )
        for order in orders
    ]


def _rows(model, **ordering) -> list[dict]:
    return [
        {k: v for k, v in model_to_dict(row).items() if k not in SKIP}
        | {"at": getattr(row, "issued_at", None) or getattr(row, "created_at", None)}
        for row in model.objects.order_by(*ordering.get("by", ["pk"]))
    ]


def _invoicing() -> tuple:
    audits = AuditEvent.objects.filter(action="invoice.issued").order_by("pk")
    return (
        _rows(Invoice, by=["merchant", "sequence"]),
        [
            (line.invoice.number, line.position, line.description, line.total)
            for line in InvoiceLine.objects.select_related("invoice").order_by("pk")
        ],
        list(
            NumberSequence.objects.order_by("merchant", "prefix").values_list(
                "merchant", "prefix", "last_number"
            )
        ),
        [(a.actor_label, a.order_id, a.data, a.created_at) for a in audits],
    )


def test_invoices_issued_in_bulk_are_those_issued_one_by_one(orders):
    issues = _issues(orders)
    with transaction.atomic():
        invoices_issue_for_orders(issues=issues, actor_label="Invoicing")
        bulk = _invoicing()
        transaction.set_rollback(True)
    assert len(bulk[0]) == len(orders)

    for issue in issues:
        with clock(issue.issued_at):
            invoice_issue_for_order(
                order=issue.order, actor_label="Invoicing", issue_date=issue.issue_date
            )
    assert _invoicing() == bulk


def _payments(invoices) -> list[InvoicePayment]:
    return [
        InvoicePayment(
            invoice=invoice,
            amount=invoice.total if index % 3 else Decimal("10.00"),
            method=[Payment.Method.STRIPE, Payment.Method.BANK_TRANSFER][index % 2],
            received_at=invoice.issued_at + timedelta(days=index),
            recorded_at=invoice.issued_at + timedelta(days=index, minutes=5),
            reference=f"ref-{index}" if index % 4 else "",
            actor_label="Stripe" if index % 2 == 0 else "",
        )
        for index, invoice in enumerate(invoices)
    ]


def _paying() -> tuple:
    notes = OrderEvent.objects.filter(kind=OrderEvent.Kind.NOTE).order_by("pk")
    audits = AuditEvent.objects.filter(action="payment.recorded").order_by("pk")
    return (
        [row | {"at": row["recorded_at"]} for row in _rows(Payment)],
        [(n.order_id, n.note, n.actor_label, n.created_at) for n in notes],
        [(a.order_id, a.actor_label, a.data, a.created_at) for a in audits],
    )


def test_payments_recorded_in_bulk_are_those_recorded_one_by_one(orders):
    invoices_issue_for_orders(issues=_issues(orders), actor_label="Invoicing")
    payments = _payments(Invoice.objects.select_related("merchant").order_by("pk"))
    with transaction.atomic():
        payments_record_on_invoices(payments=payments)
        bulk = _paying()
        transaction.set_rollback(True)
    assert len(bulk[0]) == len(payments) == len(bulk[1])

    for payment in payments:
        with clock(payment.recorded_at):
            payment_record(
                merchant=payment.invoice.merchant,
                invoice=payment.invoice,
                amount=payment.amount,
                currency=payment.invoice.currency,
                method=payment.method,
                reference=payment.reference,
                received_at=payment.received_at,
                actor_label=payment.actor_label,
            )
    assert [{k: v for k, v in row.items() if k != "id"} for row in _paying()[0]] == [
        {k: v for k, v in row.items() if k != "id"} for row in bulk[0]
    ]
    assert _paying()[1:] == bulk[1:]


def test_a_refund_or_an_order_awaiting_payment_is_recorded_on_its_own(orders):
    (invoice,) = invoices_issue_for_orders(
        issues=_issues(orders[:1]), actor_label="Invoicing"
    )
    refund = _payments([invoice])[0]
    with pytest.raises(ApplicationError, match="refund"):
        payments_record_on_invoices(
            payments=[InvoicePayment(**{**refund.__dict__, "amount": -invoice.total})]
        )
    Order.objects.filter(pk=invoice.order_id).update(status="pending")
    with pytest.raises(ApplicationError, match="awaiting payment"):
        payments_record_on_invoices(payments=[refund])
    assert not Payment.objects.exists()
