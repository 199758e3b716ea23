"""Credit notes: corrections of an issued invoice, with their own sequence."""

from decimal import Decimal

from django.db import transaction
from django.db.models import Sum

from invoices import numbering
from invoices.access import ensure_may_manage
from invoices.amounts import line_amounts, share
from invoices.models import CreditNote, CreditNoteLine, Invoice
from invoices.services.common import billing_profile, merchant_today, seller_snapshot
from invoices.services.issuing import (
    ZERO,
    number_document,
    render_after_commit,
    save_with_lines,
)
from orders.services import order_log
from performile.actors import Actor
from performile.audit import audit
from performile.errors import ApplicationError, Conflict


def credit_note_issue(
    *,
    invoice: Invoice,
    actor: Actor,
    reason: str,
    lines: list[dict] | None = None,
    amount: Decimal | None = None,
    tax_rate: Decimal | None = None,
    description: str = "",
) -> CreditNote:
    """Credit part or all of an issued invoice.

    - `lines`: [{"line": <invoice line id>, "quantity": n}]: those quantities of
      those lines, at the invoice's prices (the last part of a line credits exactly
      what is left of it, so crediting everything gives back the invoice's totals);
    - `amount`: a gross amount (a goodwill discount), taxed at `tax_rate` (default:
      the invoice's first line's rate);
    - neither: everything not credited yet (each line's rest, less earlier credits
      by amount).

    A credit note never credits more than the invoice's total. The merchant's
    staff only.
    """
    ensure_may_manage(actor, invoice.merchant_id)
    reason = reason.strip()
    if not reason:
        raise ApplicationError(
            "Say why you credit the invoice.", fields={"reason": ["Required."]}
        )
    if lines and amount is not None:
        raise ApplicationError("Credit lines or an amount, not both.")
    with transaction.atomic():
        invoice = (
            Invoice.objects.select_for_update(of=("self",))
            .select_related("merchant", "order")
            .get(pk=invoice.pk)
        )
        if invoice.is_void:
            raise Conflict(f"Invoice {invoice.number} is void.")
        profile = billing_profile(invoice.merchant)
        invoice_lines = list(invoice.lines.all())
        credited = _credited_by_line(invoice)
        if amount is not None:
            new_lines = [
                _amount_line(invoice, invoice_lines, amount, tax_rate, description)
            ]
        else:
            wanted = (
                {_int(item.get("line"), "line"): _quantity(item) for item in lines}
                if lines
                else {line.pk: None for line in invoice_lines}
            )
            new_lines = _credited_lines(invoice_lines, credited, wanted)
            if new_lines and not lines:
                new_lines += _less_earlier_amount_credits(invoice)
        total = sum(line["total"] for line in new_lines)
        if not new_lines or (total <= 0 and amount is None and not lines):
            raise Conflict(f"Invoice {invoice.number} is fully credited already.")
        already = (
            CreditNote.objects.filter(invoice=invoice).aggregate(s=Sum("total"))["s"]
            or ZERO
        )
        if total <= 0:
            raise ApplicationError("A credit note must credit a positive amount.")
        if already + total > invoice.total:
            raise ApplicationError(
                f"That credits {total} {invoice.currency}, but only"
                f" {invoice.total - already} {invoice.currency} of {invoice.number}"
                " is left to credit.",
                fields={"amount": ["More than is left to credit."]},
            )
        note = CreditNote(
            merchant=invoice.merchant,
            store_id=invoice.store_id,
            customer_id=invoice.customer_id,
            invoice=invoice,
            currency=invoice.currency,
            issue_date=merchant_today(invoice.merchant),
            seller=seller_snapshot(profile),
            buyer=invoice.buyer,
            order_reference=invoice.order_reference,
            reason=reason[:300],
            issued_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        number_document(
            note, numbering.CREDIT_NOTE, profile.credit_note_prefix, profile
        )
        save_with_lines(note, CreditNoteLine, "credit_note", new_lines)
        audit(
            "credit_note.issued",
            actor=actor,
            target=note,
            order_id=invoice.order_id,
            merchant_id=invoice.merchant_id,
            number=note.number,
            invoice=invoice.number,
            total=str(note.total),
        )
        if invoice.order_id:
            order_log(
                order=invoice.order,
                note=f"Credit note {note.number} issued for {invoice.number}:"
                f" {note.total} {note.currency} ({reason}).",
                actor=actor,
                data={"credit_note_id": note.pk, "invoice_id": invoice.pk},
            )
        render_after_commit(note)
    return note


def _int(value, field: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError) as exc:
        raise ApplicationError(
            f"{field} must be a number.", fields={field: ["Not a number."]}
        ) from exc


def _quantity(item: dict) -> Decimal | None:
    value = item.get("quantity")
    if value in (None, ""):
        return None
    try:
        quantity = Decimal(str(value))
    except ArithmeticError as exc:
        raise ApplicationError(
            "quantity must be a number.", fields={"quantity": ["Not a number."]}
        ) from exc
    if quantity <= 0 or not quantity.is_finite():
        raise ApplicationError(
            "quantity must be more than 0.", fields={"quantity": ["Must be > 0."]}
        )
    return quantity


def _credited_by_line(invoice: Invoice) -> dict[int, dict]:
    rows = (
        CreditNoteLine.objects.filter(credit_note__invoice=invoice)
        .exclude(invoice_line=None)
        .values("invoice_line")
        .annotate(
            quantity=Sum("quantity"),
            net=Sum("net_amount"),
            tax=Sum("tax_amount"),
            total=Sum("total"),
        )
    )
    return {row["invoice_line"]: row for row in rows}


def _credited_lines(invoice_lines, credited, wanted: dict) -> list[dict]:
    by_id = {line.pk: line for line in invoice_lines}
    unknown = set(wanted) - set(by_id)
    if unknown:
        raise ApplicationError(
            "No such line on this invoice.", fields={"line": [str(min(unknown))]}
        )
    result = []
    for line_id, quantity in wanted.items():
        line = by_id[line_id]
        done = credited.get(line_id, {})
        left = line.quantity - (done.get("quantity") or 0)
        if quantity is None:
            quantity = left
        if quantity <= 0:
            if len(wanted) == 1 or left < 0:
                raise ApplicationError(f"Line {line.position} is fully credited.")
            continue
        if quantity > left:
            raise ApplicationError(
                f"Line {line.position} has {left.normalize()} left to credit.",
                fields={"quantity": [f"At most {left.normalize()}."]},
            )
        if quantity == left:
            net = line.net_amount - (done.get("net") or 0)
            tax = line.tax_amount - (done.get("tax") or 0)
        else:
            net = share(line.net_amount, quantity, line.quantity)
            tax = share(line.tax_amount, quantity, line.quantity)
        result.append(
            {
                "invoice_line": line,
                "sku": line.sku,
                "description": line.description,
                "quantity": quantity,
                "unit_price": line.unit_price,
                "tax_rate": line.tax_rate,
                "net_amount": net,
                "tax_amount": tax,
                "total": net + tax,
            }
        )
    return result


def _less_earlier_amount_credits(invoice: Invoice) -> list[dict]:
    """Crediting "everything not credited yet" credits each line's rest, less what
    earlier credits by amount gave back (lines of their own, at their own rates),
    so the invoice ends credited exactly in full."""
    earlier = CreditNoteLine.objects.filter(
        credit_note__invoice=invoice, invoice_line=None
    ).select_related("credit_note")
    return [
        {
            "sku": "",
            "description": f"Less {line.description} ({line.credit_note.number})",
            "quantity": Decimal(1),
            "unit_price": -line.unit_price,
            "tax_rate": line.tax_rate,
            "net_amount": -line.net_amount,
            "tax_amount": -line.tax_amount,
            "total": -line.total,
        }
        for line in earlier
    ]


def _amount_line(invoice, invoice_lines, amount, tax_rate, description) -> dict:
    try:
        amount = Decimal(str(amount))
    except ArithmeticError as exc:
        raise ApplicationError(
            "amount must be a number.", fields={"amount": ["Not a number."]}
        ) from exc
    if not amount.is_finite() or amount <= 0:
        raise ApplicationError(
            "amount must be more than 0.", fields={"amount": ["Must be > 0."]}
        )
    if tax_rate is None:
        tax_rate = invoice_lines[0].tax_rate if invoice_lines else Decimal("0")
    amounts = line_amounts(Decimal(1), amount, tax_rate, price_includes_tax=True)
    return {
        "sku": "",
        "description": description.strip() or "Credit",
        "quantity": Decimal(1),
        "unit_price": amounts.unit_price,
        "tax_rate": tax_rate,
        "net_amount": amounts.net,
        "tax_amount": amounts.tax,
        "total": amounts.total,
    }
