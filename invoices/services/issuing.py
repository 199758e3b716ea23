"""Issuing invoices and voiding an unpaid one; what credit notes share with them."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from invoices import numbering
from invoices.access import ensure_may_manage
from invoices.amounts import cents, line_amounts
from invoices.models import (
    Invoice,
    InvoiceLine,
    Payment,
)
from invoices.services.common import (
    billing_profile,
    buyer_snapshot,
    merchant_today,
    seller_snapshot,
)
from orders.models import Order
from orders.services import order_log
from performile import outbox
from performile.actors import Actor
from performile.audit import audit, audit_event
from performile.errors import ApplicationError, Conflict
from performile.events import delay_on_commit
from performile.models import AuditEvent

ZERO = Decimal("0.00")


class AlreadyInvoiced(Conflict):
    code = "already_invoiced"


def _lines_from_order(order: Order, rate: Decimal, gross: bool) -> list[dict]:
    """The order's lines (items, shipping, discounts, fees) at the shop's tax rates
    (the profile's where the shop sent none). What the shop charged beyond them
    (fees and rounding it did not send as lines) makes up the difference to the
    order's amount."""
    lines = [
        {
            "sku": line.sku,
            "description": line.title,
            "quantity": Decimal(line.quantity),
            "price": line.unit_price,
            "rate": rate if line.tax_rate is None else line.tax_rate,
        }
        for line in order.lines.all()
    ]
    if not lines:
        return [
            {
                "sku": "",
                "description": order.service or f"Order {order.order_number}",
                "quantity": Decimal(1),
                "price": order.amount,
                "rate": rate,
            }
        ]
    # With net prices the order's amount is comparable only when the shop said so.
    if order.amount and (gross or order.taxes_included is False):
        difference = order.amount - sum(
            line_amounts(
                line["quantity"], line["price"], line["rate"], price_includes_tax=gross
            ).total
            for line in lines
        )
        if difference:
            factor = 1 + (lines[0]["rate"] / 100 if not gross else 0)
            lines.append(
                {
                    "sku": "",
                    "description": "Shipping and other charges"
                    if difference > 0
                    else "Discount",
                    "quantity": Decimal(1),
                    "price": cents(difference / factor),
                    "rate": lines[0]["rate"],
                }
            )
    return lines


def invoice_issue_for_order(
    *,
    order: Order,
    actor: Actor = None,
    actor_label: str = "",
    issue_date: date | None = None,
    notes: str = "",
) -> Invoice:
    """Issue the order's invoice from its lines. Refused when the order already has
    an issued invoice (AlreadyInvoiced), or has nothing to invoice, and to anyone
    but the merchant's staff (NotAllowed)."""
    with transaction.atomic():
        order = (
            Order.objects.select_for_update(of=("self",))
            .select_related("merchant", "customer")
            .get(pk=order.pk)
        )
        ensure_may_manage(
            actor, order.merchant_id, "Only the merchant's staff issue invoices."
        )
        _ensure_not_invoiced([order])
        profile = billing_profile(order.merchant)
        invoice, lines = _invoice_draft(
            order,
            profile,
            issue_date or merchant_today(order.merchant),
            actor=actor,
            notes=notes,
        )
        number_document(invoice, numbering.INVOICE, profile.invoice_prefix, profile)
        save_with_lines(invoice, InvoiceLine, "invoice", lines)
        # Money that arrived before the invoice (a paid checkout) counts towards it.
        Payment.objects.filter(order=order, invoice=None).update(invoice=invoice)
        _issued_audit(invoice, actor, actor_label).save()
        render_after_commit(invoice)
    return invoice


@dataclass(frozen=True)
class InvoiceIssue:
    """One order of `invoices_issue_for_orders`: its invoice's date, and when it
    was issued."""

    order: Order
    issue_date: date
    issued_at: datetime


def invoices_issue_for_orders(
    *, issues: list[InvoiceIssue], actor_label: str = ""
) -> list[Invoice]:
    """`invoice_issue_for_order` for many orders, each issued when given (a past
    written in bulk: the demo's): the same invoices, lines, numbers and audit rows,
    in a few statements. Refused as a whole when one of the orders has an issued
    invoice already or nothing to invoice."""
    with transaction.atomic():
        orders = (
            Order.objects.select_for_update(of=("self",))
            .select_related("merchant", "customer")
            .prefetch_related("lines")
            .in_bulk([issue.order.pk for issue in issues])
        )
        _ensure_not_invoiced(orders.values())
        profiles = {}
        drafts = []
        for issue in issues:
            order = orders[issue.order.pk]
            if order.merchant_id not in profiles:
                profiles[order.merchant_id] = billing_profile(order.merchant)
            profile = profiles[order.merchant_id]
            invoice, lines = _invoice_draft(order, profile, issue.issue_date)
            invoice.issued_at = issue.issued_at
            drafts.append((invoice, lines, profile))
        invoices = _drafts_save(drafts)
        waiting = set(
            Payment.objects.filter(order__in=list(orders), invoice=None).values_list(
                "order_id", flat=True
            )
        )
        for invoice in invoices:
            if invoice.order_id in waiting:
                Payment.objects.filter(order=invoice.order_id, invoice=None).update(
                    invoice=invoice
                )
        audits = [_issued_audit(invoice, None, actor_label) for invoice in invoices]
        for row, invoice in zip(audits, invoices, strict=True):
            row.created_at = invoice.issued_at
        AuditEvent.objects.bulk_create(audits)
        for invoice in invoices:
            render_after_commit(invoice)
    return invoices


def _ensure_not_invoiced(orders) -> None:
    existing = (
        Invoice.objects.filter(order__in=list(orders), state=Invoice.State.ISSUED)
        .values_list("order__order_number", "number")
        .first()
    )
    if existing is not None:
        raise AlreadyInvoiced(
            f"Order {existing[0]} is already invoiced: {existing[1]}."
        )


def _invoice_draft(
    order: Order, profile, issue_date: date, *, actor: Actor = None, notes: str = ""
) -> tuple[Invoice, list[dict]]:
    """The order's invoice, unsaved and unnumbered, and its lines."""
    gross = (
        profile.prices_include_tax
        if order.taxes_included is None
        else order.taxes_included
    )
    lines = _lines_from_order(order, profile.default_tax_rate, gross)
    if not any(line["price"] for line in lines):
        raise ApplicationError(f"Order {order.order_number} has no amount to invoice.")
    invoice = Invoice(
        merchant=order.merchant,
        store_id=order.store_id,
        customer=order.customer,
        order=order,
        currency=order.currency,
        issue_date=issue_date,
        due_date=issue_date + timedelta(days=profile.payment_terms_days),
        seller=seller_snapshot(profile),
        buyer=buyer_snapshot(order.customer, order.delivery_address),
        order_reference=order.order_number,
        notes=notes.strip(),
        payment_instructions=profile.payment_instructions,
        issued_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    return invoice, [
        {
            "sku": line["sku"],
            "description": line["description"],
            "quantity": line["quantity"],
            **_amounts(line, gross),
        }
        for line in lines
    ]


def _drafts_save(drafts: list[tuple]) -> list[Invoice]:
    """Number (one statement per series), then save invoices and lines in one
    INSERT each."""
    series = {}
    for invoice, _lines, profile in drafts:
        prefix = numbering.series_prefix(profile.invoice_prefix, invoice.issue_date)
        series.setdefault((invoice.merchant_id, prefix), []).append((invoice, profile))
    for (merchant_id, prefix), documents in series.items():
        numbers = numbering.next_numbers(
            merchant_id=merchant_id,
            kind=numbering.INVOICE,
            prefix=prefix,
            count=len(documents),
        )
        for (invoice, profile), number in zip(documents, numbers, strict=True):
            invoice.sequence = number
            invoice.number = numbering.format_number(
                prefix, number, profile.number_digits
            )
    for invoice, lines, _profile in drafts:
        document_totals(invoice, lines)
    invoices = Invoice.objects.bulk_create(invoice for invoice, _l, _p in drafts)
    InvoiceLine.objects.bulk_create(
        InvoiceLine(invoice=invoice, position=position, **line)
        for invoice, lines, _p in drafts
        for position, line in enumerate(lines, start=1)
    )
    return invoices


def _issued_audit(invoice: Invoice, actor: Actor, actor_label: str):
    # An audit event, not an order event: issuing follows a status change that
    # is on the timeline already, and open Orders views need no second message.
    return audit_event(
        "invoice.issued",
        actor=actor,
        actor_label=actor_label,
        target=invoice,
        order_id=invoice.order_id,
        merchant_id=invoice.merchant_id,
        number=invoice.number,
    )


def _amounts(line: dict, gross: bool) -> dict:
    amounts = line_amounts(
        line["quantity"], line["price"], line["rate"], price_includes_tax=gross
    )
    return {
        "unit_price": amounts.unit_price,
        "tax_rate": line["rate"],
        "net_amount": amounts.net,
        "tax_amount": amounts.tax,
        "total": amounts.total,
    }


def number_document(document, kind: str, template: str, profile) -> None:
    prefix = numbering.series_prefix(template, document.issue_date)
    document.sequence = numbering.next_number(
        merchant_id=document.merchant_id, kind=kind, prefix=prefix
    )
    document.number = numbering.format_number(
        prefix, document.sequence, profile.number_digits
    )


def save_with_lines(document, line_model, parent_field: str, lines: list[dict]):
    document_totals(document, lines)
    document.save()
    line_model.objects.bulk_create(
        line_model(**{parent_field: document}, position=position, **line)
        for position, line in enumerate(lines, start=1)
    )


def document_totals(document, lines: list[dict]) -> None:
    document.subtotal = sum((line["net_amount"] for line in lines), ZERO)
    document.tax_total = sum((line["tax_amount"] for line in lines), ZERO)
    document.total = sum((line["total"] for line in lines), ZERO)


def render_after_commit(document) -> None:
    from invoices.tasks import invoices_render_pdf

    if outbox.is_recording_history():
        return  # the demo's past: rendered on first download
    kind = "invoice" if isinstance(document, Invoice) else "credit_note"
    delay_on_commit(invoices_render_pdf, kind, document.pk)


def invoice_void(*, invoice: Invoice, actor: Actor, reason: str) -> Invoice:
    """Void an issued invoice nobody has paid or credited yet. The number stays
    used (gap-free); the order may be invoiced again. The merchant's staff only."""
    ensure_may_manage(actor, invoice.merchant_id)
    reason = reason.strip()
    if not reason:
        raise ApplicationError(
            "Say why the invoice is voided.", fields={"reason": ["Required."]}
        )
    with transaction.atomic():
        invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
        if invoice.is_void:
            raise Conflict(f"Invoice {invoice.number} is already void.")
        if invoice.payments.exists():
            raise Conflict(
                f"Invoice {invoice.number} has payments: issue a credit note instead."
            )
        if invoice.credit_notes.exists():
            raise Conflict(
                f"Invoice {invoice.number} has credit notes: it cannot be voided."
            )
        invoice.state = Invoice.State.VOID
        invoice.voided_at = timezone.now()
        invoice.voided_by = actor if getattr(actor, "is_authenticated", False) else None
        invoice.void_reason = reason[:300]
        invoice.save(update_fields=["state", "voided_at", "voided_by", "void_reason"])
        audit(
            "invoice.voided",
            actor=actor,
            target=invoice,
            order_id=invoice.order_id,
            merchant_id=invoice.merchant_id,
            reason=reason,
        )
        if invoice.order_id:
            order_log(
                order=invoice.order,
                note=f"Invoice {invoice.number} voided: {reason}",
                actor=actor,
                data={"invoice_id": invoice.pk},
            )
    return invoice
