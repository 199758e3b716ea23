import csv
import io
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
import time_machine

from invoices.exports import export
from invoices.services import (
    credit_note_issue,
    invoice_issue_for_order,
    payment_record,
)
from performile.errors import ApplicationError
from tests.factories import CustomerFactory
from tests.invoices.conftest import make_order

pytestmark = pytest.mark.django_db

HEADER = (
    "type,number,issue_date,due_date,customer_number,customer_name,order_reference,"
    "currency,line_no,sku,description,quantity,unit_price,tax_rate,net_amount,"
    "tax_amount,line_total,document_subtotal,document_tax,document_total,status,"
    "related_number,payment_method,payment_reference"
)
MARCH = {"start": date(2026, 3, 1), "end": date(2026, 3, 31)}


def rows(user, **kwargs):
    filename, chunks = export(user, **{**MARCH, **kwargs})
    text = "".join(chunks)
    return filename, text, list(csv.DictReader(io.StringIO(text)))


@pytest.fixture
def books(store, customer, buyer, profile, staff_user):
    """An invoice of two lines for `customer`, credited and refunded in part; an
    invoice for `buyer`; an invoice outside the period."""
    order = make_order(store, customer, lines=((2, "10.00"), (1, "30.00")))
    invoice = invoice_issue_for_order(order=order, issue_date=date(2026, 3, 2))
    payment_record(
        merchant=store.merchant,
        invoice=invoice,
        amount=Decimal("50.00"),
        currency="EUR",
        method="card",
        reference="ch_1",
        received_at=datetime(2026, 3, 4, 9, tzinfo=UTC),
    )
    with time_machine.travel(datetime(2026, 3, 5, 12, tzinfo=UTC), tick=False):
        note = credit_note_issue(
            invoice=invoice,
            actor=staff_user,
            reason="One item returned",
            lines=[{"line": invoice.lines.get(position=1).pk, "quantity": 1}],
        )
    payment_record(
        merchant=store.merchant,
        invoice=invoice,
        amount=Decimal("-10.00"),
        currency="EUR",
        method="card",
        reference="re_1",
        received_at=datetime(2026, 3, 5, 13, tzinfo=UTC),
    )
    other = invoice_issue_for_order(
        order=make_order(store, buyer, lines=((1, "1234.50"),)),
        issue_date=date(2026, 3, 20),
    )
    # 22:30 UTC on 31 March is 1 April in Stockholm: outside March.
    payment_record(
        merchant=store.merchant,
        invoice=other,
        amount=Decimal("100.00"),
        currency="EUR",
        method="bank_transfer",
        received_at=datetime(2026, 3, 31, 22, 30, tzinfo=UTC),
    )
    invoice_issue_for_order(
        order=make_order(store, buyer, lines=((1, "5.00"),)),
        issue_date=date(2026, 4, 1),
    )
    return {"invoice": invoice, "note": note, "other": other, "order": order}


def test_staff_get_one_row_per_line_and_per_payment(books, staff_user, customer):
    invoice, note = books["invoice"], books["note"]

    filename, text, data = rows(staff_user, kind="all")

    assert filename == "all-2026-03-01-2026-03-31.csv"
    assert text.splitlines()[0] == HEADER
    assert [(r["type"], r["number"], r["line_no"]) for r in data] == [
        ("invoice", invoice.number, "1"),
        ("invoice", invoice.number, "2"),
        ("invoice", books["other"].number, "1"),
        ("credit_note", note.number, "1"),
        ("payment", "", ""),
        ("refund", "", ""),
    ]
    first = data[0]
    assert first == {
        "type": "invoice",
        "number": invoice.number,
        "issue_date": "2026-03-02",
        "due_date": "2026-04-01",
        "customer_number": customer.customer_number,
        "customer_name": invoice.buyer["name"],
        "order_reference": books["order"].order_number,
        "currency": "EUR",
        "line_no": "1",
        "sku": first["sku"],
        "description": "Item at 10.00",
        "quantity": "2",
        "unit_price": "8.00",
        "tax_rate": "25.00",
        "net_amount": "16.00",
        "tax_amount": "4.00",
        "line_total": "20.00",
        "document_subtotal": "40.00",
        "document_tax": "10.00",
        "document_total": "50.00",
        "status": "paid",  # 50.00 - 10.00 credited - (50.00 - 10.00 refunded)
        "related_number": "",
        "payment_method": "",
        "payment_reference": "",
    }
    # 1234.50: a decimal point and no thousands separator.
    assert data[2]["document_total"] == "1234.50"
    credit = data[3]
    assert (credit["quantity"], credit["line_total"], credit["document_total"]) == (
        "1",
        "10.00",
        "10.00",
    )
    assert credit["related_number"] == invoice.number
    assert credit["issue_date"] == "2026-03-05"
    payment, refund = data[4], data[5]
    assert (payment["line_total"], payment["document_total"]) == ("50.00", "50.00")
    assert (refund["document_total"], refund["payment_reference"]) == ("-10.00", "re_1")
    assert (refund["related_number"], refund["payment_method"]) == (
        invoice.number,
        "card",
    )
    assert refund["issue_date"] == "2026-03-05"


def test_each_kind_exports_only_its_documents(books, staff_user):
    assert {r["type"] for r in rows(staff_user, kind="invoices")[2]} == {"invoice"}
    assert {r["type"] for r in rows(staff_user, kind="credit_notes")[2]} == {
        "credit_note"
    }
    assert {r["type"] for r in rows(staff_user, kind="payments")[2]} == {
        "payment",
        "refund",
    }


def test_a_customer_gets_only_their_own(books, customer, buyer):
    _, _, data = rows(customer.user, kind="all")
    assert {r["customer_number"] for r in data} == {customer.customer_number}
    assert len(data) == 6 - 1

    _, _, data = rows(customer.user, kind="invoices", customer_id=buyer.pk)
    assert data == []


def test_staff_can_export_one_customer(books, staff_user, buyer):
    _, _, data = rows(staff_user, kind="all", customer_id=buyer.pk)
    assert [r["number"] for r in data] == [books["other"].number]


def test_another_merchants_staff_get_nothing(books, other_merchant_staff):
    _, text, data = rows(other_merchant_staff, kind="all")
    assert data == []
    assert text.strip() == HEADER


def test_bad_parameters_are_refused(staff_user):
    with pytest.raises(ApplicationError):
        export(staff_user, kind="orders", **MARCH)
    with pytest.raises(ApplicationError):
        export(staff_user, kind="all", start=MARCH["end"], end=MARCH["start"])
    with pytest.raises(ApplicationError):
        export(staff_user, kind="all", customer_id="abc", **MARCH)


def test_the_export_reads_lines_in_one_query_per_chunk(
    store, profile, staff_user, django_assert_max_num_queries
):
    for _ in range(5):
        customer = CustomerFactory(merchant=store.merchant)
        invoice_issue_for_order(
            order=make_order(store, customer), issue_date=date(2026, 3, 3)
        )
    # The user's memberships and customer record, then invoices and their lines.
    with django_assert_max_num_queries(5):
        _, chunks = export(staff_user, kind="invoices", **MARCH)
        assert len(list(csv.reader(io.StringIO("".join(chunks))))) == 1 + 10
