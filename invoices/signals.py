"""Domain events of the invoices app, sent after commit (performile.events)."""

from django.dispatch import Signal

# invoice_id, order_id, customer_id
invoice_issued = Signal()
# invoice_id
invoice_voided = Signal()
# credit_note_id, invoice_id, customer_id
credit_note_issued = Signal()
# payment_id, invoice_id, order_id, customer_id
payment_recorded = Signal()
