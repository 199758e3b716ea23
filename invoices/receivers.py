"""Answers to the orders app's domain events (subscribed in InvoicesConfig.ready).

An order is invoiced once, when it is confirmed: when it first reaches a status
that means the merchant has accepted it (payment verified, confirmed, or any later
step of either flow). Orders created already in payment verified (a Discord desk's
paid order) are invoiced at once.
"""

import logging
from datetime import timedelta

from django.db.models import Exists, OuterRef
from django.dispatch import receiver
from django.utils import timezone

from invoices.models import CreditNote, Invoice, Payment, Statement
from invoices.services import AlreadyInvoiced, invoice_issue_for_order, payment_record
from invoices.services.settling import invoice_settle_cancelled
from invoices.services.webshop import webshop_money_apply
from orders import signals as order_signals
from orders.models import Order
from orders.state_machine import OrderStatus
from performile import outbox
from performile.errors import ApplicationError

logger = logging.getLogger(__name__)

CONFIRMED = frozenset(
    {
        OrderStatus.PAYMENT_VERIFIED,
        OrderStatus.IN_PROGRESS,
        OrderStatus.IN_REVIEW,
        OrderStatus.CONFIRMED,
        OrderStatus.SHIPPED,
        OrderStatus.DELIVERED,
        OrderStatus.COMPLETE,
    }
)


@receiver(order_signals.order_status_changed, dispatch_uid="invoices-order-status")
def on_order_status_changed(sender, *, order_id, to_status, note="", **kwargs):
    if to_status in CONFIRMED:
        invoice_confirmed_order(order_id)
    elif to_status == OrderStatus.CANCELLED:
        order = Order.objects.filter(pk=order_id).first()
        if order is not None:
            invoice_settle_cancelled(order=order, reason=note or "Order cancelled.")


@receiver(order_signals.order_created, dispatch_uid="invoices-order-created")
def on_order_created(sender, *, order_id, **kwargs):
    invoice_confirmed_order(order_id)


@receiver(order_signals.order_webshop_money, dispatch_uid="invoices-webshop-money")
def on_order_webshop_money(sender, *, order_id, money, source, **kwargs):
    webshop_money_apply(order_id=order_id, money=money, source=source)


@receiver(order_signals.customer_merging, dispatch_uid="invoices-customer-merging")
def on_customer_merging(sender, *, customer_id, into_id, **kwargs):
    """Billing follows the customer (inside the merge's transaction, which the
    immutability trigger lets change the customer and nothing else)."""
    for model in (Invoice, CreditNote, Payment, Statement):
        model.objects.filter(customer_id=customer_id).update(customer_id=into_id)


@receiver(order_signals.order_payment_logged, dispatch_uid="invoices-order-payment")
def on_order_payment_logged(
    sender, *, order_id, amount, currency, method, reference="", **kwargs
):
    record_logged_payment(
        order_id, amount=amount, currency=currency, method=method, reference=reference
    )


def record_logged_payment(
    order_id: int, *, amount, currency: str, method: str, reference: str = ""
) -> Payment | None:
    """Record a payment verified on the order (the Discord desk's /addorder). It
    counts towards the order's invoice, or waits on the order until it is issued,
    whichever of the two events comes first."""
    order = Order.objects.select_related("merchant").filter(pk=order_id).first()
    if order is None:
        return None
    try:
        return payment_record(
            merchant=order.merchant,
            order=order,
            amount=amount,
            currency=currency,
            method=method if method in Payment.Method.values else Payment.Method.OTHER,
            reference=reference,
            actor_label="Discord",
        )
    except ApplicationError as exc:
        logger.warning("order %s: payment not recorded: %s", order_id, exc.message)
        return None


def invoice_missed_orders(*, days: int = 7) -> int:
    """The safety net under the receivers: confirmed orders changed in the last
    `days` that have no invoice at all (a receiver that failed after its order's
    commit, an outage of the database at the wrong moment). Returns how many it
    invoiced. An order whose invoice was voided is not reissued (a person's call)."""
    since = timezone.now() - timedelta(days=days)
    order_ids = (
        Order.objects.filter(
            status__in=CONFIRMED, deleted_at=None, updated_at__gte=since
        )
        .filter(~Exists(Invoice.objects.filter(order=OuterRef("pk"))))
        .values_list("pk", flat=True)
    )
    return sum(1 for pk in list(order_ids) if invoice_confirmed_order(pk))


def invoice_confirmed_order(order_id: int) -> Invoice | None:
    """Issue the order's invoice if it is confirmed and was never invoiced (not even
    by an invoice voided since: reissuing that is a person's decision)."""
    if outbox.is_recording_history():
        # A past being written (the demo) dates its invoices itself: demo.invoices.
        return None
    # One narrow query to decide; the service reads (and locks) the order itself.
    due = Order.objects.filter(
        ~Exists(Invoice.objects.filter(order=OuterRef("pk"))),
        pk=order_id,
        deleted_at=None,
        status__in=CONFIRMED,
    )
    if not due.exists():
        return None
    try:
        return invoice_issue_for_order(
            order=Order(pk=order_id), actor_label="Invoicing"
        )
    except AlreadyInvoiced:
        return None
    except ApplicationError as exc:
        logger.info("order %s not invoiced: %s", order_id, exc.message)
        return None
