"""Every write to invoices, credit notes, payments and statements."""

from invoices.services.common import billing_profile, merchant_today
from invoices.services.credit_notes import credit_note_issue
from invoices.services.issuing import (
    AlreadyInvoiced,
    invoice_issue_for_order,
    invoice_void,
)
from invoices.services.payments import payment_allocate, payment_record
from invoices.services.profile import (
    billing_profile_reveal_stripe_secret,
    billing_profile_update,
)
from invoices.services.statements import (
    statement_generate,
    statements_generate_for_customers,
    statements_generate_monthly,
)

__all__ = [
    "AlreadyInvoiced",
    "billing_profile",
    "billing_profile_reveal_stripe_secret",
    "billing_profile_update",
    "credit_note_issue",
    "invoice_issue_for_order",
    "invoice_void",
    "merchant_today",
    "payment_allocate",
    "payment_record",
    "statement_generate",
    "statements_generate_for_customers",
    "statements_generate_monthly",
]
