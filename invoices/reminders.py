"""Overdue reminders: one message per invoice, ever, when it first becomes overdue.

Beat runs `send_overdue_reminders` hourly. The reminder row and its outbox message
are written in one transaction per invoice, with the invoice locked, so two runs
at once send one reminder; the unique (invoice, kind) constraint backs that up.
"""

import logging
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from invoices.models import Invoice, InvoiceReminder
from invoices.selectors import PaymentStatus, with_balance
from orders.languages import customer_language, writing_to
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
        with writing_to(customer_language(customer)):
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
    """The reminder in the active language (the customer's)."""
    how = invoice.payment_instructions.strip()
    values = {
        "merchant": (invoice.seller or {}).get("name") or invoice.merchant.name,
        "number": invoice.number,
        "amount": f"{invoice.outstanding:.2f} {invoice.currency}",
        "due": invoice.due_date.isoformat(),
        "issued": invoice.issue_date.isoformat(),
        "name": invoice.customer.name or invoice.customer.customer_number,
    }
    subject = _("Invoice %(number)s is overdue") % values
    if sms:
        body = (
            _(
                "%(merchant)s: invoice %(number)s is overdue. %(amount)s was due on"
                " %(due)s. Please pay quoting %(number)s."
            )
            % values
        )
        return subject, body
    lines = [
        _("Hello %(name)s,") % values,
        "",
        _(
            "Invoice %(number)s of %(issued)s was due on %(due)s and %(amount)s is"
            " still outstanding."
        )
        % values,
        "",
        _("How to pay:"),
        how or _("Reply to this message and we will tell you how to pay."),
        _("Please quote %(number)s with your payment.") % values,
        "",
        _("If you have paid already, thank you, and please ignore this reminder."),
        "",
        values["merchant"],
    ]
    return subject, "\n".join(lines)
