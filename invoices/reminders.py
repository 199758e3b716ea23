"""Overdue reminders: one message per invoice, ever, when it first becomes overdue.

Beat runs `send_overdue_reminders` hourly. The reminder row and its outbox message
are written in one transaction per invoice, with the invoice locked, so two runs
at once send one reminder; the unique (invoice, kind) constraint backs that up.
"""

import logging
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from invoices.models import Invoice, InvoiceReminder
from invoices.selectors import PaymentStatus, with_balance
from orders.notifications import sms_number
from performile.outbox import Channel, enqueue

logger = logging.getLogger(__name__)


def overdue_without_reminder(at: datetime | None = None):
    return (
        with_balance(
            Invoice.objects.filter(state=Invoice.State.ISSUED)
            .exclude(customer=None)
            .exclude(reminders__kind=InvoiceReminder.Kind.OVERDUE),
            at,
        )
        .filter(payment_status=PaymentStatus.OVERDUE, outstanding__gt=0)
        .order_by("due_date", "pk")
    )


def send_overdue_reminders(at: datetime | None = None) -> int:
    """Remind the customer of every newly overdue invoice (as of `at`, default
    now): email, or SMS when they have no email, or nothing (logged) when they have
    neither. Returns how many reminders were queued."""
    at = at or timezone.now()
    sent = 0
    for invoice_id in overdue_without_reminder(at).values_list("pk", flat=True):
        if _remind(invoice_id, at):
            sent += 1
    return sent


def _remind(invoice_id: int, at: datetime) -> bool:
    with transaction.atomic():
        invoice = (
            overdue_without_reminder(at)
            .select_for_update(of=("self",))
            .select_related("customer", "merchant")
            .filter(pk=invoice_id)
            .first()
        )
        if invoice is None:  # paid, voided or reminded meanwhile
            return False
        customer = invoice.customer
        phone, why_not = sms_number(customer.phone)
        if customer.email:
            channel, recipient = Channel.EMAIL, customer.email
        elif phone:
            channel, recipient = Channel.SMS, phone
        else:
            logger.info(
                "invoice %s is overdue; customer %s cannot be reached: %s",
                invoice.number,
                customer.customer_number,
                " ".join(why_not) or "no email or phone",
            )
            return False
        subject, body = _message(invoice, sms=channel == Channel.SMS)
        message = enqueue(
            channel=channel,
            recipient=recipient,
            subject=subject,
            body=body,
            order_id=invoice.order_id,
        )
        InvoiceReminder.objects.create(
            invoice=invoice,
            kind=InvoiceReminder.Kind.OVERDUE,
            sent_at=at,
            outbox_message_id=message.pk,
        )
    return True


def _message(invoice: Invoice, *, sms: bool) -> tuple[str, str]:
    merchant = (invoice.seller or {}).get("name") or invoice.merchant.name
    amount = f"{invoice.outstanding:.2f} {invoice.currency}"
    due = invoice.due_date.isoformat()
    how = invoice.payment_instructions.strip()
    subject = f"Invoice {invoice.number} is overdue"
    if sms:
        body = (
            f"{merchant}: invoice {invoice.number} is overdue. {amount} was due on"
            f" {due}. Please pay quoting {invoice.number}."
        )
        return subject, body
    lines = [
        f"Hello {invoice.customer.name or invoice.customer.customer_number},",
        "",
        f"Invoice {invoice.number} of {invoice.issue_date.isoformat()} was due on"
        f" {due} and {amount} is still outstanding.",
        "",
        "How to pay:",
        how or "Reply to this message and we will tell you how to pay.",
        f"Please quote {invoice.number} with your payment.",
        "",
        "If you have paid already, thank you, and please ignore this reminder.",
        "",
        merchant,
    ]
    return subject, "\n".join(lines)
