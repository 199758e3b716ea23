"""An issued document's lines are complete, in the database itself: a line is
inserted only by the transaction that issued its document (invoices migration
0006). Transactional tests: each issue commits, as it does in production, so the
SQL after it runs in a transaction of its own."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction

from invoices.models import CreditNote, CreditNoteLine, Invoice, InvoiceLine
from invoices.services import credit_note_issue, invoice_issue_for_order
from invoices.services.issuing import InvoiceIssue, invoices_issue_for_orders
from tests.factories import CustomerFactory
from tests.invoices.conftest import make_order

pytestmark = pytest.mark.django_db(transaction=True)

LINE_INSERT = """
INSERT INTO {table} ({parent}, position, sku, description, quantity, unit_price,
                     tax_rate, net_amount, tax_amount, total)
VALUES (%s, 99, '', 'Added afterwards', 1, 1000, 25, 1000, 250, 1250)
"""


def line_insert(model, parent_id: int) -> None:
    parent = "invoice_id" if model is InvoiceLine else "credit_note_id"
    with connection.cursor() as cursor:
        cursor.execute(
            LINE_INSERT.format(table=model._meta.db_table, parent=parent), [parent_id]
        )


@pytest.fixture
def invoice(store, buyer, profile):
    return invoice_issue_for_order(order=make_order(store, buyer))


def test_issuing_writes_the_documents_lines(invoice, staff_user):
    note = credit_note_issue(invoice=invoice, actor=staff_user, reason="Returned")
    assert invoice.lines.count() == 2
    assert note.lines.count() == 2
    assert note.total == invoice.total


def test_issuing_many_at_once_writes_their_lines(store, buyer, profile):
    orders = [make_order(store, buyer) for _ in range(3)]
    issued_at = orders[0].placed_at + timedelta(hours=1)
    invoices = invoices_issue_for_orders(
        issues=[InvoiceIssue(o, issued_at.date(), issued_at) for o in orders]
    )
    assert [i.lines.count() for i in invoices] == [2, 2, 2]


def test_a_line_cannot_be_added_to_an_issued_invoice_in_sql(invoice):
    with pytest.raises(IntegrityError, match="immutable"):
        line_insert(InvoiceLine, invoice.pk)
    assert invoice.lines.count() == 2
    invoice.refresh_from_db()
    assert invoice.total == Decimal("50.00")


def test_a_line_cannot_be_added_to_an_issued_credit_note_in_sql(invoice, staff_user):
    note = credit_note_issue(
        invoice=invoice, actor=staff_user, reason="Goodwill", amount=Decimal("5")
    )
    with pytest.raises(IntegrityError, match="immutable"):
        line_insert(CreditNoteLine, note.pk)
    assert note.lines.count() == 1


def test_nor_after_an_allowed_change_to_the_document_in_the_same_transaction(
    invoice, buyer
):
    """Storing the PDF and merging customers rewrite the row (a new xmin): the
    document was still issued by another transaction."""
    other = CustomerFactory(merchant=buyer.merchant)
    with transaction.atomic():
        Invoice.objects.filter(pk=invoice.pk).update(pdf="invoices/x.pdf")
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL performile.merging_customers = 'on'")
            cursor.execute(
                "UPDATE invoices_invoice SET customer_id = %s WHERE id = %s",
                [other.pk, invoice.pk],
            )
        with pytest.raises(IntegrityError, match="immutable"), transaction.atomic():
            line_insert(InvoiceLine, invoice.pk)
    assert invoice.lines.count() == 2


def test_nor_to_a_document_that_is_not_there(invoice):
    with pytest.raises(IntegrityError, match="immutable"), transaction.atomic():
        line_insert(InvoiceLine, invoice.pk + 1000)


@pytest.mark.parametrize("model", [Invoice, CreditNote], ids=["invoice", "credit"])
def test_the_issuing_transaction_is_recorded_and_never_changes(
    model, invoice, staff_user
):
    document = invoice
    if model is CreditNote:
        document = credit_note_issue(invoice=invoice, actor=staff_user, reason="x")
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT issued_xact IS NOT NULL FROM {table}")
        assert cursor.fetchall() == [(True,)]
        with pytest.raises(IntegrityError, match="immutable"), transaction.atomic():
            cursor.execute(
                f"UPDATE {table} SET issued_xact = pg_current_xact_id() WHERE id = %s",
                [document.pk],
            )


def test_an_insert_cannot_claim_another_transaction(invoice):
    """issued_xact is the inserting transaction's, whatever the INSERT says: a
    document cannot be written to take lines in a later transaction."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT (pg_current_xact_id()::text::bigint + 1)::text")
        (later,) = cursor.fetchone()
        cursor.execute(
            "INSERT INTO invoices_invoice SELECT (r).* FROM ("
            " SELECT jsonb_populate_record(i, jsonb_build_object("
            "  'id', i.id + 1000, 'number', 'X-1', 'order_id', null,"
            "  'issued_xact', %s)) AS r"
            " FROM invoices_invoice i WHERE i.id = %s) s"
            " RETURNING issued_xact::text, pg_current_xact_id()::text",
            [later, invoice.pk],
        )
        issued, current = cursor.fetchone()
    assert issued == current != later
