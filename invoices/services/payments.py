"""Recording payments and refunds, by staff or from a payment provider."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone

from invoices.access import ensure_may_manage
from invoices.models import Invoice, Payment
from orders.models import Customer, Merchant, Order
from orders.services import order_change_status, order_log, order_log_many
from orders.state_machine import OrderStatus
from performile.actors import Actor
from performile.audit import audit, audit_event
from performile.errors import ApplicationError, Conflict
from performile.models import AuditEvent

# An order waiting for its money moves on when money arrives.
AWAITING_PAYMENT = (OrderStatus.DRAFT, OrderStatus.PENDING)


def payment_record(
    *,
    merchant: Merchant,
    amount: Decimal,
    currency: str,
    method: str,
    invoice: Invoice | None = None,
    order: Order | None = None,
    customer: Customer | None = None,
    reference: str = "",
    provider_id: str = "",
    received_at: datetime | None = None,
    note: str = "",
    actor: Actor = None,
    actor_label: str = "",
) -> Payment | None:
    """Record money received (or refunded, when `amount` is negative).

    The payment counts towards `invoice`, or towards the order's issued invoice, or
    waits on the order until its invoice is issued; the customer follows from
    them. A payment on an order still waiting for payment moves it to payment
    verified. With a `provider_id` the same payment recorded twice is recorded once
    (returns None the second time). A person recording it must be the merchant's
    staff.
    """
    ensure_may_manage(actor, merchant.pk)
    amount = _amount(amount)
    currency = (currency or "").upper()
    if method not in Payment.Method.values:
        raise ApplicationError(
            f"Unknown payment method {method!r}.", fields={"method": ["Unknown."]}
        )
    with transaction.atomic():
        if invoice is not None:
            invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
            if invoice.merchant_id != merchant.pk:
                raise ApplicationError("That invoice belongs to another merchant.")
            if invoice.is_void:
                raise Conflict(f"Invoice {invoice.number} is void.")
            order = order or invoice.order
        if order is not None:
            # Locked: whether the payment moves the order on is read fresh.
            order = (
                Order.objects.select_for_update(of=("self",))
                .select_related("customer")
                .get(pk=order.pk)
            )
        if invoice is None and order is not None:
            invoice = (
                order.invoices.filter(state=Invoice.State.ISSUED)
                .select_related("customer")
                .first()
            )
        if order is not None and order.merchant_id != merchant.pk:
            raise ApplicationError("That order belongs to another merchant.")
        target_currency = (invoice.currency if invoice else None) or (
            order.currency if order else None
        )
        if target_currency and currency != target_currency:
            raise ApplicationError(
                f"The payment is in {currency} but the"
                f" {'invoice' if invoice else 'order'} is in {target_currency}.",
                fields={"currency": [f"Must be {target_currency}."]},
            )
        customer = (
            (invoice.customer if invoice else None)
            or (order.customer if order else None)
            or customer
        )
        user = actor if getattr(actor, "is_authenticated", False) else None
        try:
            with transaction.atomic():
                payment = Payment.objects.create(
                    merchant=merchant,
                    customer=customer,
                    order=order,
                    invoice=invoice,
                    amount=amount,
                    currency=currency,
                    method=method,
                    reference=reference[:200],
                    provider_id=provider_id[:200],
                    received_at=received_at or timezone.now(),
                    note=note[:300],
                    recorded_by=user,
                )
        except IntegrityError:
            if provider_id:
                return None
            raise
        _audit(payment, invoice, actor, actor_label).save()
        if order is not None:
            order_log(
                order=order,
                note=_order_note(payment),
                actor=actor,
                actor_label=actor_label,
                data={"payment_id": payment.pk},
            )
            if amount > 0 and order.status in AWAITING_PAYMENT:
                order_change_status(
                    order=order,
                    to=OrderStatus.PAYMENT_VERIFIED,
                    actor=actor,
                    actor_label=actor_label,
                    note=f"Payment of {amount} {currency} received.",
                )
    return payment


@dataclass(frozen=True)
class InvoicePayment:
    """Money received on an issued invoice, for `payments_record_on_invoices`."""

    invoice: Invoice
    amount: Decimal
    method: str
    received_at: datetime
    recorded_at: datetime
    reference: str = ""
    provider_id: str = ""
    actor: Actor = None
    actor_label: str = ""


def payments_record_on_invoices(*, payments: list[InvoicePayment]) -> list[Payment]:
    """`payment_record` of money received on issued invoices, many at once, each
    recorded when given (a past written in bulk: the demo's): the same payments,
    audit rows and order timeline notes, in a few statements. Money in only, on
    orders no longer awaiting it (`payment_record` moves those on, one by one)."""
    with transaction.atomic():
        invoices = (
            Invoice.objects.select_for_update(of=("self",))
            .select_related("order")
            .in_bulk([payment.invoice.pk for payment in payments])
        )
        rows = [_on_invoice(invoices[p.invoice.pk], p) for p in payments]
        saved = Payment.objects.bulk_create(rows)
        audits = []
        for row, payment in zip(saved, payments, strict=True):
            audits.append(_audit(row, row.invoice, payment.actor, payment.actor_label))
            audits[-1].created_at = payment.recorded_at
        AuditEvent.objects.bulk_create(audits)
        order_log_many(
            notes=[
                {
                    "order": row.invoice.order,
                    "note": _order_note(row),
                    "actor": payment.actor,
                    "actor_label": payment.actor_label,
                    "data": {"payment_id": row.pk},
                    "created_at": payment.recorded_at,
                }
                for row, payment in zip(saved, payments, strict=True)
                if row.order_id
            ]
        )
    return saved


def _on_invoice(invoice: Invoice, payment: InvoicePayment) -> Payment:
    amount = _amount(payment.amount)
    if payment.method not in Payment.Method.values:
        raise ApplicationError(f"Unknown payment method {payment.method!r}.")
    if amount < 0:
        raise ApplicationError("A refund is recorded on its own (payment_record).")
    if invoice.is_void:
        raise Conflict(f"Invoice {invoice.number} is void.")
    if invoice.order_id and invoice.order.status in AWAITING_PAYMENT:
        raise ApplicationError(
            f"Order {invoice.order.order_number} is awaiting payment: record it"
            " on its own, so the order moves on."
        )
    actor = payment.actor
    return Payment(
        merchant_id=invoice.merchant_id,
        customer_id=invoice.customer_id or getattr(invoice.order, "customer_id", None),
        order_id=invoice.order_id,
        invoice=invoice,
        amount=amount,
        currency=invoice.currency,
        method=payment.method,
        reference=payment.reference[:200],
        provider_id=payment.provider_id[:200],
        received_at=payment.received_at,
        recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
        recorded_at=payment.recorded_at,
    )


def _audit(payment: Payment, invoice: Invoice | None, actor: Actor, actor_label: str):
    return audit_event(
        "payment.refunded" if payment.amount < 0 else "payment.recorded",
        actor=actor,
        actor_label=actor_label,
        target=payment,
        order_id=payment.order_id,
        merchant_id=payment.merchant_id,
        amount=str(payment.amount),
        currency=payment.currency,
        invoice=invoice.number if invoice else "",
    )


def _order_note(payment: Payment) -> str:
    kind = "Refund" if payment.amount < 0 else "Payment"
    reference = f", {payment.reference}" if payment.reference else ""
    return (
        f"{kind} of {abs(payment.amount)} {payment.currency} recorded"
        f" ({Payment.Method(payment.method).label}{reference})."
    )


def payment_allocate(*, payment: Payment, invoice: Invoice, actor: Actor) -> Payment:
    """Put an unallocated payment (money a provider sent without anything to match
    it to) on an issued invoice of the same merchant and currency. The payment
    itself never changes otherwise (the immutability trigger allows exactly this).
    The merchant's staff only."""
    ensure_may_manage(actor, payment.merchant_id)
    with transaction.atomic():
        payment = Payment.objects.select_for_update().get(pk=payment.pk)
        invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
        if payment.invoice_id:
            raise Conflict("That payment is already on an invoice.")
        if invoice.merchant_id != payment.merchant_id:
            raise ApplicationError("That invoice belongs to another merchant.")
        if invoice.is_void:
            raise Conflict(f"Invoice {invoice.number} is void.")
        if invoice.currency != payment.currency:
            raise ApplicationError(
                f"The payment is in {payment.currency} but {invoice.number} is in"
                f" {invoice.currency}.",
                fields={"invoice": ["Another currency."]},
            )
        Payment.objects.filter(pk=payment.pk).update(invoice=invoice)
        payment.invoice = invoice
        audit(
            "payment.allocated",
            actor=actor,
            target=payment,
            order_id=invoice.order_id,
            merchant_id=invoice.merchant_id,
            invoice=invoice.number,
        )
    return payment


def _amount(value) -> Decimal:
    try:
        amount = Decimal(str(value))
    except ArithmeticError as exc:
        raise ApplicationError(
            "amount must be a number.", fields={"amount": ["Not a number."]}
        ) from exc
    if not amount.is_finite() or amount == 0 or amount.as_tuple().exponent < -2:
        raise ApplicationError(
            "amount must be a non-zero amount with at most 2 decimals.",
            fields={"amount": ["Invalid amount."]},
        )
    return amount
