"""Every write to invoices, credit notes, payments and statements."""

from invoices.services.common import billing_profile, merchant_today
from invoices.services.issuing import (
    AlreadyInvoiced,
    credit_note_issue,
    invoice_issue_for_order,
    invoice_void,
)
from invoices.services.payments import payment_record

__all__ = [
    "AlreadyInvoiced",
    "billing_profile",
    "credit_note_issue",
    "invoice_issue_for_order",
    "invoice_void",
    "merchant_today",
    "payment_record",
]
