"""Recording the money a Stripe event moves (read by `invoices.stripe`), matched to
the merchant's invoice or order through the event's metadata.

Money is never dropped: a payment that matches nothing is recorded unallocated on
the merchant (and on the customer when its e-mail names exactly one), for staff to
allocate. Runs inside `performile.webhooks.receive`, in the delivery's transaction.
"""

import hashlib
import logging
from dataclasses import dataclass, replace
from decimal import Decimal

from django.db import connection
from django.db.models import Sum

from invoices.models import Invoice, Payment
from invoices.services.payments import payment_record
from invoices.stripe import StripeMoney, StripeRefunds
from orders.customers import Identity, customer_match
from orders.models import Customer, Merchant, Order
from performile.errors import ApplicationError

logger = logging.getLogger(__name__)

ACTOR_LABEL = "Stripe"
STRIPE = Payment.Method.STRIPE
UNMATCHED = "Stripe: matched no invoice or order (see the metadata in Stripe)."


@dataclass(frozen=True)
class Target:
    invoice: Invoice | None = None
    order: Order | None = None
    customer: Customer | None = None


def stripe_money_record(
    *, merchant: Merchant, money: StripeMoney | StripeRefunds | None
) -> dict:
    """Record a payment or the new refunds of a charge; what the webhook answers."""
    if money is None:
        return {"status": "ignored"}
    if isinstance(money, StripeRefunds):
        payments = _record_refunds(merchant, money)
    else:
        payments = [_record(merchant, money, _match(merchant, money.metadata))]
    recorded = [p for p in payments if p is not None]
    return {
        "status": "accepted",
        "payments": [p.pk for p in recorded],
        "unallocated": [p.pk for p in recorded if not (p.invoice_id or p.order_id)],
    }


def _record(merchant: Merchant, money: StripeMoney, target: Target | None):
    target = target or _by_email(merchant, money.email)
    common = {
        "merchant": merchant,
        "amount": money.amount,
        "currency": money.currency,
        "method": STRIPE,
        "reference": money.reference,
        "provider_id": money.provider_id,
        "received_at": money.received_at,
        "actor_label": ACTOR_LABEL,
    }
    try:
        payment = payment_record(
            invoice=target.invoice,
            order=target.order,
            customer=target.customer,
            note="" if target.invoice or target.order else UNMATCHED,
            **common,
        )
    except ApplicationError as exc:
        # Another currency (or an invoice voided meanwhile): keep the money anyway.
        payment = payment_record(
            customer=_customer_of(target) or _by_email(merchant, money.email).customer,
            note=f"Stripe: {exc.message}",
            **common,
        )
    if payment is None:
        logger.info("stripe %s already recorded", money.provider_id)
    elif not (payment.invoice_id or payment.order_id):
        logger.warning(
            "stripe %s recorded unallocated for merchant %s: %s (metadata %s)",
            money.provider_id,
            merchant.pk,
            payment.note,
            money.metadata,
            extra={"merchant_id": merchant.pk, "payment_id": payment.pk},
        )
    return payment


def _customer_of(target: Target) -> Customer | None:
    return (
        target.customer
        or (target.invoice.customer if target.invoice else None)
        or (target.order.customer if target.order else None)
    )


def _match(merchant: Merchant, metadata: dict) -> Target | None:
    invoice = _invoice(merchant, metadata)
    if invoice is not None and not invoice.is_void:
        return Target(invoice=invoice)
    if invoice is not None:
        # A void invoice takes no money: it waits on the order (and its reissue).
        return Target(order=invoice.order, customer=invoice.customer)
    order = _order(merchant, metadata)
    return Target(order=order) if order is not None else None


def _invoice(merchant: Merchant, metadata: dict) -> Invoice | None:
    invoices = Invoice.objects.filter(merchant=merchant)
    number, invoice_id = metadata.get("invoice_number"), metadata.get("invoice_id")
    invoice = invoices.filter(number=number).first() if number else None
    if invoice is None and invoice_id and invoice_id.isdigit():
        invoice = invoices.filter(pk=int(invoice_id)).first()
    return invoice


def _order(merchant: Merchant, metadata: dict) -> Order | None:
    orders = Order.objects.not_deleted().filter(merchant=merchant)
    order_id, number = metadata.get("order_id"), metadata.get("order_number")
    if order_id and order_id.isdigit():
        order = orders.filter(pk=int(order_id)).first()
        if order is not None:
            return order
    if not number:
        return None
    store_id = metadata.get("store_id", "")
    if store_id.isdigit():
        orders = orders.filter(store_id=int(store_id))
    found = list(orders.filter(order_number=number)[:2])
    return found[0] if len(found) == 1 else None  # two stores, same number: unsure


def _by_email(merchant: Merchant, email: str) -> Target:
    if not email:
        return Target()
    return Target(customer=customer_match(merchant.pk, Identity.clean(email=email)))


# --- Refunds ---------------------------------------------------------------------


def _record_refunds(merchant: Merchant, charge: StripeRefunds) -> list:
    """Record the charge's refunds not recorded yet, never more in total than the
    charge's cumulative `amount_refunded` (events arrive out of order, and older
    API versions list no refunds)."""
    _lock(merchant, charge.reference)
    target = _match(merchant, charge.metadata) or _original(merchant, charge)
    left = charge.amount_refunded - _refunded_so_far(merchant, charge.reference)
    new = []
    for refund in _not_recorded(merchant, charge.refunds or ()):
        if -refund.amount > left:
            logger.warning(
                "stripe refund %s exceeds what charge %s has refunded; skipped",
                refund.provider_id,
                charge.charge_id,
            )
            continue
        new.append(replace(refund, email=charge.email))
        left += refund.amount
    if not charge.complete and left > 0:
        new.append(
            StripeMoney(
                provider_id=f"{charge.charge_id}:{charge.amount_refunded_minor}",
                amount=-left,
                currency=charge.currency,
                reference=charge.reference,
                received_at=charge.received_at,
                email=charge.email,
            )
        )
    return [_record(merchant, refund, target) for refund in new]


def _original(merchant: Merchant, charge: StripeRefunds) -> Target | None:
    payment = (
        Payment.objects.filter(
            merchant=merchant,
            method=STRIPE,
            provider_id__in=charge.payment_ids,
            amount__gt=0,
        )
        .select_related("invoice", "order", "customer")
        .first()
    )
    if payment is None:
        return None
    if payment.invoice_id or payment.order_id:
        return Target(invoice=payment.invoice, order=payment.order)
    return Target(customer=payment.customer)


def _refunded_so_far(merchant: Merchant, reference: str) -> Decimal:
    total = Payment.objects.filter(
        merchant=merchant, method=STRIPE, reference=reference, amount__lt=0
    ).aggregate(total=Sum("amount"))["total"]
    return -(total or Decimal("0"))


def _not_recorded(merchant: Merchant, refunds) -> list[StripeMoney]:
    known = set(
        Payment.objects.filter(
            merchant=merchant,
            method=STRIPE,
            provider_id__in=[r.provider_id for r in refunds],
        ).values_list("provider_id", flat=True)
    )
    return [r for r in refunds if r.provider_id not in known]


def _lock(merchant: Merchant, reference: str) -> None:
    """Two refund events of one charge at once would both see nothing refunded
    yet: the second waits for the first to commit."""
    digest = hashlib.blake2b(
        f"stripe-refund:{merchant.pk}:{reference}".encode(), digest_size=8
    ).digest()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(%s)",
            [int.from_bytes(digest, "big", signed=True)],
        )
