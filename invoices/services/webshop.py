"""The money a webshop reports on an order, recorded through the invoices services
so that the invoice's Paid / Pending / Overdue agrees with the shop.

Idempotent by the shop's own ids, whatever order and however often the shop's
events arrive (orders/create, orders/paid, refunds/create, a catch-up run):

- **Paid**: what the shop has taken in all. The part not recorded yet is recorded
  as one payment, under an id naming the order and the cumulative amount.
- **Refunds**: each refund transaction once, under its own id, as a negative
  payment; and a credit note, so that what the invoice credits covers what was
  refunded (the customer no longer owes what the shop gave back).
- **Cancelled** (or voided) in the shop: the order moves to Cancelled, which settles
  its invoice (invoices.services.settling); settled here too when the order could
  not move (it had shipped).
"""

import logging
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum

from invoices.models import Invoice, Payment
from invoices.services.credit_notes import credit_note_issue
from invoices.services.payments import payment_record
from invoices.services.settling import invoice_credited, invoice_settle_cancelled
from orders.ingestion.incoming import IncomingMoney, IncomingPayment
from orders.models import Order, Source
from performile.errors import ApplicationError

logger = logging.getLogger(__name__)

METHOD = Payment.Method.WEBSHOP
ZERO = Decimal("0.00")
# What recording the shop's money reads of the order (the rest loads if needed).
MONEY_FIELDS = ("merchant", "store_id", "source", "external_id", "currency", "status")


def webshop_money_apply(*, order_id: int, money: IncomingMoney, source: str) -> None:
    if not (money.paid or money.refunds or money.cancelled):
        return  # an unpaid order: nothing to record (most orders/create of pending)
    order = (
        Order.objects.select_related("merchant")
        .only(*MONEY_FIELDS)
        .filter(pk=order_id)
        .first()
    )
    if order is None:
        return
    label = Source(source).label
    try:
        _record_paid(order, money, label)
        for refund in money.refunds:
            _record(order, refund, label)
        if money.refunds or money.cancelled:
            _settle(order, money, label)
    except ApplicationError as exc:
        # A currency the order does not have, a void refused: the shop's money
        # cannot be put on this order; staff see it in the log and the timeline.
        logger.warning("order %s: webshop money not recorded: %s", order.pk, exc)


def _record_paid(order: Order, money: IncomingMoney, label: str) -> None:
    if not money.paid:
        return
    prefix = f"{order.store_id}:{order.source}:{order.external_id}:paid:"
    with transaction.atomic():
        Order.objects.select_for_update().filter(pk=order.pk).values("pk").first()
        recorded = (
            Payment.objects.filter(
                merchant_id=order.merchant_id,
                method=METHOD,
                provider_id__startswith=prefix,
            ).aggregate(total=Sum("amount"))["total"]
            or ZERO
        )
        missing = money.paid - recorded
        if missing > 0:
            payment_record(
                merchant=order.merchant,
                order=order,
                amount=missing,
                currency=order.currency,
                method=METHOD,
                reference=money.gateway[:200],
                provider_id=f"{prefix}{money.paid}",
                note=f"Paid in {label}",
                actor_label=label,
            )


def _record(order: Order, refund: IncomingPayment, label: str) -> None:
    payment_record(
        merchant=order.merchant,
        order=order,
        amount=refund.amount,
        currency=order.currency,
        method=METHOD,
        reference=refund.gateway[:200],
        provider_id=f"{order.store_id}:{refund.provider_id}",
        received_at=refund.received_at,
        note=refund.note or f"Refunded in {label}",
        actor_label=label,
    )


def _settle(order: Order, money: IncomingMoney, label: str) -> None:
    if money.cancelled:
        # Also when the order could not move to Cancelled (it had shipped).
        invoice_settle_cancelled(order=order, reason=money.reason)
        return
    invoice = order.invoices.filter(state=Invoice.State.ISSUED).first()
    if invoice is None:
        return
    refunded = -(
        invoice.payments.filter(method=METHOD, amount__lt=0).aggregate(
            total=Sum("amount")
        )["total"]
        or ZERO
    )
    to_credit = min(refunded, invoice.total) - invoice_credited(invoice)
    if to_credit > 0:
        credit_note_issue(
            invoice=invoice, actor=None, reason=f"Refunded in {label}", amount=to_credit
        )
