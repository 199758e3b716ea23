"""CSV exports for accounting software (columns: docs/invoices-statements.md).

One row per invoice or credit-note line and one per payment, from the selectors
only, so staff get their merchants' customers and a customer only their own.
Streamed: rows are read in chunks with their lines prefetched, one query per chunk.
"""

import csv
import io
from collections.abc import Iterable, Iterator
from datetime import date
from decimal import Decimal

from django.db.models import DateField, F, Func
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from invoices.models import Payment
from invoices.selectors import (
    visible_credit_notes,
    visible_invoices,
    visible_payments,
)
from performile.errors import ApplicationError

COLUMNS = [
    "type",
    "number",
    "issue_date",
    "due_date",
    "customer_number",
    "customer_name",
    "order_reference",
    "currency",
    "line_no",
    "sku",
    "description",
    "quantity",
    "unit_price",
    "tax_rate",
    "net_amount",
    "tax_amount",
    "line_total",
    "document_subtotal",
    "document_tax",
    "document_total",
    "status",
    "related_number",
    "payment_method",
    "payment_reference",
]
KIND_CHOICES = [
    ("invoices", _("Invoices")),
    ("credit_notes", _("Credit notes")),
    ("payments", _("Payments")),
    ("all", _("All")),
]
KINDS = tuple(kind for kind, _label in KIND_CHOICES)
# Documents read per round trip: a few hundred rows and their lines in memory.
CHUNK = 500


def export(
    user, *, kind: str, start: date, end: date, customer_id: int | None = None
) -> tuple[str, Iterator[str]]:
    """(file name, CSV text chunks) of what `user` may see from `start` to `end`
    (issue dates; payments by the day received, both on the merchant's calendar)."""
    if kind not in KINDS:
        raise ApplicationError(
            f"kind must be one of {', '.join(KINDS)}.", fields={"kind": ["Unknown."]}
        )
    if not isinstance(start, date) or not isinstance(end, date):
        raise ApplicationError("start and end must be dates.")
    if start > end:
        raise ApplicationError(
            "The period starts after it ends.", fields={"start": ["After end."]}
        )
    if customer_id is not None:
        try:
            customer_id = int(customer_id)
        except (TypeError, ValueError) as exc:
            raise ApplicationError(
                "customer must be a number.", fields={"customer": ["Not a number."]}
            ) from exc
    sections = {
        "invoices": _invoice_rows,
        "credit_notes": _credit_note_rows,
        "payments": _payment_rows,
    }
    wanted = list(sections) if kind == "all" else [kind]

    def rows() -> Iterator[list]:
        for name in wanted:
            yield from sections[name](user, start, end, customer_id)

    filename = f"{kind.replace('_', '-')}-{start.isoformat()}-{end.isoformat()}.csv"
    return filename, _csv(rows())


def _csv(rows: Iterable[list]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow(row)
        if buffer.tell() > 64 * 1024:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value:f}"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _quantity(value: Decimal) -> str:
    return f"{value.normalize():f}"


def _customer(document) -> tuple[str, str]:
    buyer = getattr(document, "buyer", None) or {}
    customer = document.customer
    number = customer.customer_number if customer else buyer.get("customer_number")
    name = buyer.get("name") or (customer.name if customer else "")
    return number or "", name or ""


def _filtered(queryset, customer_id):
    return queryset if customer_id is None else queryset.filter(customer_id=customer_id)


def _invoice_rows(user, start, end, customer_id):
    invoices = (
        _filtered(visible_invoices(user), customer_id)
        .filter(issue_date__range=(start, end))
        .prefetch_related("lines")
        .order_by("issue_date", "merchant_id", "sequence", "pk")
    )
    for invoice in invoices.iterator(chunk_size=CHUNK):
        yield from _line_rows(
            "invoice", invoice, invoice.due_date, invoice.payment_status, ""
        )


def _credit_note_rows(user, start, end, customer_id):
    notes = (
        _filtered(visible_credit_notes(user), customer_id)
        .filter(issue_date__range=(start, end))
        .prefetch_related("lines")
        .order_by("issue_date", "merchant_id", "sequence", "pk")
    )
    for note in notes.iterator(chunk_size=CHUNK):
        yield from _line_rows("credit_note", note, None, "issued", note.invoice.number)


def _line_rows(kind, document, due_date, status, related) -> Iterator[list]:
    number, name = _customer(document)
    for line in document.lines.all():
        yield [
            _text(value)
            for value in (
                kind,
                document.number,
                document.issue_date,
                due_date,
                number,
                name,
                document.order_reference,
                document.currency,
                line.position,
                line.sku,
                line.description,
                _quantity(line.quantity),
                line.unit_price,
                line.tax_rate,
                line.net_amount,
                line.tax_amount,
                line.total,
                document.subtotal,
                document.tax_total,
                document.total,
                status,
                related,
                "",
                "",
            )
        ]


def _payment_rows(user, start, end, customer_id):
    day = Cast(
        Func(
            F("merchant__timezone"),
            F("received_at"),
            function="timezone",
            output_field=DateField(),
        ),
        DateField(),
    )
    payments = (
        _filtered(visible_payments(user), customer_id)
        .select_related("merchant")
        .annotate(day=day)
        .filter(day__range=(start, end))
        .order_by("received_at", "pk")
    )
    for payment in payments.iterator(chunk_size=CHUNK):
        yield _payment_row(payment)


def _payment_row(payment: Payment) -> list[str]:
    customer = payment.customer
    received = timezone.localtime(payment.received_at, payment.merchant.zone)
    invoice = payment.invoice
    order_reference = (
        invoice.order_reference
        if invoice
        else (payment.order.order_number if payment.order else "")
    )
    amount = payment.amount
    return [
        _text(value)
        for value in (
            "refund" if payment.is_refund else "payment",
            "",
            received.date(),
            "",
            customer.customer_number if customer else "",
            customer.name if customer else "",
            order_reference,
            payment.currency,
            "",
            "",
            f"{'Refund' if payment.is_refund else 'Payment'}"
            f" ({payment.get_method_display()})",
            "",
            "",
            "",
            "",
            "",
            amount,
            "",
            "",
            amount,
            "refunded" if payment.is_refund else "received",
            invoice.number if invoice else "",
            payment.method,
            payment.reference or payment.provider_id,
        )
    ]
