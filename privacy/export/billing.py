"""The customer's invoices, credit notes, payments and statements in their
export, with the PDFs (the customer's copy, as the portal serves it)."""

from invoices import pdf
from invoices.models import CreditNote, Invoice, Payment, Statement
from invoices.selectors import (
    visible_credit_notes,
    visible_invoices,
    visible_payments,
    visible_statements,
)
from orders.models import Customer
from privacy.export.files import ExportFile, safe_name


def billing_sections(customer: Customer, viewer, files: list[ExportFile]) -> dict:
    """Invoices, credit notes and statements with their PDFs (the customer's copy,
    as the portal serves it), and payments, as `viewer` may see them. Issued
    documents are kept unchanged after an erasure (bookkeeping law); they are
    listed here either way."""
    invoices = (
        visible_invoices(viewer)
        .filter(customer=customer)
        .select_related("order")
        .prefetch_related("lines")
    )
    notes = visible_credit_notes(viewer).filter(customer=customer)
    payments = visible_payments(viewer).filter(customer=customer)
    statements = visible_statements(viewer).filter(customer=customer)
    return {
        "invoices": [
            _invoice(invoice, customer, files)
            for invoice in invoices.order_by("issue_date", "id")
        ],
        "credit_notes": [
            _credit_note(note, customer, files)
            for note in notes.order_by("issue_date", "id")
        ],
        "payments": [_payment(payment) for payment in payments],
        "statements": [
            _statement(statement, customer, files)
            for statement in statements.order_by("period_start", "id")
        ],
    }


def _invoice(invoice: Invoice, customer: Customer, files) -> dict:
    return {
        "number": invoice.number,
        "order_number": invoice.order_reference,
        "state": invoice.state,
        "payment_status": invoice.payment_status,
        "issue_date": invoice.issue_date,
        "due_date": invoice.due_date,
        "currency": invoice.currency,
        "subtotal": invoice.subtotal,
        "tax_total": invoice.tax_total,
        "total": invoice.total,
        "paid": invoice.paid,
        "credited": invoice.credited,
        "outstanding": invoice.outstanding,
        "buyer": invoice.buyer,
        "lines": [
            {
                "description": line.description,
                "quantity": line.quantity,
                "unit_price": line.unit_price,
                "tax_rate": line.tax_rate,
                "total": line.total,
            }
            for line in invoice.lines.all()
        ],
        "document": _document("invoice", invoice, customer, files),
    }


def _credit_note(note: CreditNote, customer: Customer, files) -> dict:
    return {
        "number": note.number,
        "invoice_number": note.invoice.number,
        "reason": note.reason,
        "issue_date": note.issue_date,
        "currency": note.currency,
        "total": note.total,
        "buyer": note.buyer,
        "document": _document("credit_note", note, customer, files),
    }


def _payment(payment: Payment) -> dict:
    return {
        "received_at": payment.received_at,
        "amount": payment.amount,
        "currency": payment.currency,
        "method": payment.method,
        "reference": payment.reference,
        "invoice_number": payment.invoice.number if payment.invoice_id else None,
        "order_number": payment.order.order_number if payment.order_id else None,
    }


def _statement(statement: Statement, customer: Customer, files) -> dict:
    return {
        "period_start": statement.period_start,
        "period_end": statement.period_end,
        "currency": statement.currency,
        "opening_balance": statement.opening_balance,
        "closing_balance": statement.closing_balance,
        "generated_at": statement.generated_at,
        "document": _document("statement", statement, customer, files),
    }


DOCUMENT_FOLDERS = {
    "invoice": "invoices",
    "credit_note": "credit-notes",
    "statement": "statements",
}


def _document(kind: str, document, customer: Customer, files) -> str:
    path = (
        f"documents/{DOCUMENT_FOLDERS[kind]}/{safe_name(pdf.filename(kind, document))}"
    )

    def read() -> bytes:
        return pdf.customer_copy(
            pdf.stored_pdf(kind, document), customer.customer_number
        )

    files.append(ExportFile(path, read))
    return path
