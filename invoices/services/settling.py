"""What a cancelled order leaves on its invoice: nothing owed.

However the order was cancelled (staff, Discord, a webshop), its issued invoice is
voided when nobody paid or credited it, and otherwise credited for everything not
credited yet (a paid invoice is never voided: the money is the customer's credit,
to refund or keep). Idempotent: a settled invoice is left as it is.
"""

from decimal import Decimal

from django.db.models import Sum

from invoices.models import CreditNote, Invoice
from invoices.services.credit_notes import credit_note_issue
from invoices.services.issuing import invoice_void
from orders.models import Order

ZERO = Decimal("0.00")


def invoice_settle_cancelled(*, order: Order, reason: str) -> Invoice | None:
    """Settle the cancelled order's issued invoice; the invoice, or None if none."""
    invoice = order.invoices.filter(state=Invoice.State.ISSUED).first()
    if invoice is None:
        return None
    credited = invoice_credited(invoice)
    if not invoice.payments.exists() and not credited:
        return invoice_void(invoice=invoice, actor=None, reason=reason)
    if credited < invoice.total:
        credit_note_issue(invoice=invoice, actor=None, reason=reason)
    return invoice


def invoice_credited(invoice: Invoice) -> Decimal:
    total = CreditNote.objects.filter(invoice=invoice).aggregate(s=Sum("total"))["s"]
    return total or ZERO
