"""One billing record of each kind for a customer, for tests that need them all
(the portal's isolation sweep, the personal-data export and erasure)."""

from decimal import Decimal

from invoices.services import (
    credit_note_issue,
    invoice_issue_for_order,
    payment_record,
    statement_generate,
)


def billing_records(order, staff_user) -> dict:
    """`order`'s invoice, partly paid (10.00 EUR), a credit note of 5.00 on it, and
    its customer's statement of the day."""
    invoice = invoice_issue_for_order(order=order, actor=staff_user)
    payment_record(
        merchant=order.store.merchant,
        invoice=invoice,
        amount=Decimal("10.00"),
        currency="EUR",
        method="cash",
        actor=staff_user,
    )
    note = credit_note_issue(
        invoice=invoice, actor=staff_user, reason="Late", amount=Decimal("5.00")
    )
    statement = statement_generate(
        customer=order.customer,
        currency="EUR",
        start=invoice.issue_date,
        end=invoice.issue_date,
    )
    return {"invoice": invoice, "credit_note": note, "statement": statement}
