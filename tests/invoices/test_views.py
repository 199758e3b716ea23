import io
import json
from datetime import date, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from invoices.models import CreditNote, Invoice, Payment, Statement
from invoices.services import invoice_issue_for_order, payment_record
from orders.state_machine import OrderStatus
from performile.models import AuditEvent
from tests.factories import CustomerFactory
from tests.invoices.conftest import make_order

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
MERCHANT_ZONE = ZoneInfo("Europe/Stockholm")  # the merchant factory's


def today() -> date:
    return timezone.localdate(timezone=MERCHANT_ZONE)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def staff(client, staff_user):
    client.force_login(staff_user)
    return client


@pytest.fixture
def invoice(order, staff_user):
    return invoice_issue_for_order(order=order, actor=staff_user)


def issue(store, customer, *, days_ago=0, lines=((1, "100.00"),)):
    order = make_order(store, customer, lines=lines)
    return invoice_issue_for_order(
        order=order, issue_date=today() - timedelta(days=days_ago)
    )


def triggers(response) -> dict:
    return json.loads(response.headers.get("HX-Trigger", "{}"))


def pdf_text(content: bytes) -> str:
    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages)


# --- The list --------------------------------------------------------------------


def test_the_list_shows_invoices_with_status_and_the_outstanding_totals(
    staff, store, buyer, profile
):
    pending = issue(store, buyer)
    overdue = issue(store, buyer, days_ago=40)

    response = staff.get(reverse("invoices:list"))

    assert response.status_code == 200
    html = response.content.decode()
    assert pending.number in html
    assert overdue.number in html
    assert 'badge--orange" data-invoice-status>Pending' in html
    assert 'badge--red" data-invoice-status>Overdue' in html
    assert 'data-total="outstanding">€200.00' in html
    assert 'data-total="overdue">€100.00' in html


def test_the_list_filters_by_status_customer_search_date_and_overdue(
    staff, store, buyer, profile
):
    other = CustomerFactory(merchant=store.merchant, name="Bakery Ost")
    pending = issue(store, buyer)
    overdue = issue(store, buyer, days_ago=40)
    theirs = issue(store, other, days_ago=10)
    paid = issue(store, other)
    payment_record(
        merchant=store.merchant,
        invoice=paid,
        amount=paid.total,
        currency="EUR",
        method="cash",
    )

    def shown(**query):
        response = staff.get(reverse("invoices:list"), query)
        assert response.status_code == 200
        html = response.content.decode()
        return {i.number for i in (pending, overdue, theirs, paid) if i.number in html}

    assert shown(status="overdue") == {overdue.number}
    assert shown(status="paid") == {paid.number}
    assert shown(overdue="on") == {overdue.number}
    assert shown(customer=other.pk) == {theirs.number, paid.number}
    assert shown(q="Bakery") == {theirs.number, paid.number}
    assert shown(q=pending.number) == {pending.number}
    assert shown(q=theirs.order_reference) == {theirs.number}
    since = (today() - timedelta(days=15)).isoformat()
    assert shown(issued_from=since) == {pending.number, theirs.number, paid.number}
    until = (today() - timedelta(days=1)).isoformat()
    assert shown(issued_to=until) == {overdue.number, theirs.number}


def test_bad_filters_answer_400_and_say_which(staff, invoice):
    response = staff.get(reverse("invoices:list"), {"issued_from": "yesterday"})

    assert response.status_code == 400
    assert "These filters could not be applied" in response.content.decode()
    assert invoice.number not in response.content.decode()


def test_an_htmx_filter_request_gets_only_the_table(staff, invoice):
    response = staff.get(
        reverse("invoices:list"), HTTP_HX_TARGET="invoices-table", **HTMX
    )

    html = response.content.decode()
    assert html.lstrip().startswith('<section id="invoices-table"')
    assert invoice.number in html


# --- The detail --------------------------------------------------------------------


def test_the_detail_shows_parties_lines_payments_and_credit_notes(
    staff, invoice, staff_user
):
    payment_record(
        merchant=invoice.merchant,
        invoice=invoice,
        amount=Decimal("10.00"),
        currency="EUR",
        method="cash",
        reference="TILL-7",
    )
    staff.post(
        reverse("invoices:credit", args=[invoice.pk]),
        {"mode": "amount", "amount": "5.00", "reason": "Late"},
    )
    note = CreditNote.objects.get(invoice=invoice)

    response = staff.get(reverse("invoices:detail", args=[invoice.pk]))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Nordic Goods AB" in html
    assert "Café Lyktan" in html
    assert "Item at 10.00" in html
    assert "TILL-7" in html
    assert reverse("invoices:credit-note-pdf", args=[note.pk]) in html
    assert "€35.00 outstanding" in html
    assert reverse("invoices:pdf", args=[invoice.pk]) in html
    assert reverse("invoices:void", args=[invoice.pk]) not in html  # paid, credited


def test_void_is_offered_only_while_nothing_is_paid_or_credited(staff, invoice):
    html = staff.get(reverse("invoices:detail", args=[invoice.pk])).content.decode()

    assert reverse("invoices:void", args=[invoice.pk]) in html


# --- Record a payment --------------------------------------------------------------


def test_the_payment_form_defaults_to_the_outstanding_amount(staff, invoice):
    response = staff.get(reverse("invoices:payment", args=[invoice.pk]), **HTMX)

    assert response.status_code == 200
    assert 'name="amount" value="50.00"' in response.content.decode()


def test_recording_a_payment_updates_the_detail_and_says_so(staff, invoice):
    response = staff.post(
        reverse("invoices:payment", args=[invoice.pk]),
        {
            "amount": "50.00",
            "method": "bank_transfer",
            "received_on": today().isoformat(),
            "reference": "BANK-991",
        },
        **HTMX,
    )

    assert response.status_code == 200
    payment = Payment.objects.get(invoice=invoice)
    assert (payment.amount, payment.method, payment.reference) == (
        Decimal("50.00"),
        "bank_transfer",
        "BANK-991",
    )
    trigger = triggers(response)
    assert trigger["performile:toast"]["text"] == "Payment of 50.00 EUR recorded."
    assert "performile:dialog-done" in trigger
    html = response.content.decode()
    assert 'id="invoice-detail"' in html
    assert 'hx-swap-oob="true"' in html
    assert "data-invoice-status>Paid" in html


def test_without_script_a_payment_redirects_to_the_invoice(staff, invoice):
    response = staff.post(
        reverse("invoices:payment", args=[invoice.pk]),
        {"amount": "20", "method": "cash", "received_on": today().isoformat()},
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("invoices:detail", args=[invoice.pk])
    assert Payment.objects.filter(invoice=invoice, amount=20).exists()


@pytest.mark.parametrize(
    "data",
    [
        {"amount": "abc", "method": "cash"},
        {"amount": "10.001", "method": "cash"},
        {"amount": "10", "method": "bitcoin"},
        {"amount": "10", "method": "cash", "received_on": "2999-01-01"},
    ],
)
def test_a_bad_payment_form_changes_nothing(staff, invoice, data):
    data.setdefault("received_on", today().isoformat())
    response = staff.post(reverse("invoices:payment", args=[invoice.pk]), data, **HTMX)

    assert response.status_code == 422
    assert "field-error" in response.content.decode()
    assert not Payment.objects.exists()


def test_a_payment_the_service_refuses_is_shown_on_the_form(staff, invoice):
    """A zero amount passes the form; the service refuses it."""
    response = staff.post(
        reverse("invoices:payment", args=[invoice.pk]),
        {"amount": "0", "method": "cash", "received_on": today().isoformat()},
        **HTMX,
    )

    assert response.status_code == 422
    assert "non-zero amount" in response.content.decode()
    assert not Payment.objects.exists()


# --- Credit notes ------------------------------------------------------------------


def test_crediting_the_whole_invoice(staff, invoice):
    response = staff.post(
        reverse("invoices:credit", args=[invoice.pk]),
        {"mode": "whole", "reason": "Order cancelled"},
        **HTMX,
    )

    assert response.status_code == 200
    note = CreditNote.objects.get(invoice=invoice)
    assert note.total == invoice.total
    assert note.reason == "Order cancelled"
    assert (
        f"Credit note {note.number} issued"
        in triggers(response)["performile:toast"]["text"]
    )
    assert "data-invoice-status>Paid" in response.content.decode()


def test_crediting_some_lines_by_quantity(staff, invoice):
    first = invoice.lines.get(position=1)  # 2 × 10.00

    staff.post(
        reverse("invoices:credit", args=[invoice.pk]),
        {"mode": "lines", f"line_{first.pk}": "1", "reason": "One was broken"},
    )

    note = CreditNote.objects.get(invoice=invoice)
    assert note.total == Decimal("10.00")
    assert note.lines.get().invoice_line == first


def test_crediting_an_amount(staff, invoice):
    staff.post(
        reverse("invoices:credit", args=[invoice.pk]),
        {
            "mode": "amount",
            "amount": "12.50",
            "description": "Goodwill",
            "reason": "Late",
        },
    )

    note = CreditNote.objects.get(invoice=invoice)
    assert note.total == Decimal("12.50")
    assert note.lines.get().description == "Goodwill"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"mode": "whole", "reason": ""}, "This field is required"),
        ({"mode": "amount", "reason": "x"}, "Required when crediting an amount"),
        ({"mode": "lines", "reason": "x"}, "at least one line"),
        ({"mode": "amount", "amount": "60", "reason": "x"}, "is left to credit"),
        ({"mode": "lines", "LINE": "3", "reason": "x"}, "left to credit"),
    ],
)
def test_a_bad_credit_note_changes_nothing(staff, invoice, data, message):
    if "LINE" in data:
        data[f"line_{invoice.lines.get(position=1).pk}"] = data.pop("LINE")
    response = staff.post(reverse("invoices:credit", args=[invoice.pk]), data, **HTMX)

    assert response.status_code == 422
    assert message in response.content.decode()
    assert not CreditNote.objects.exists()


# --- Void --------------------------------------------------------------------------


def test_voiding_an_unpaid_invoice(staff, invoice, staff_user):
    response = staff.post(
        reverse("invoices:void", args=[invoice.pk]),
        {"reason": "Issued by mistake"},
        **HTMX,
    )

    assert response.status_code == 200
    invoice.refresh_from_db()
    assert invoice.is_void
    assert invoice.void_reason == "Issued by mistake"
    assert AuditEvent.objects.filter(action="invoice.voided", actor=staff_user).exists()
    assert "data-invoice-status>Void" in response.content.decode()


def test_voiding_needs_a_reason(staff, invoice):
    response = staff.post(reverse("invoices:void", args=[invoice.pk]), {}, **HTMX)

    assert response.status_code == 422
    invoice.refresh_from_db()
    assert not invoice.is_void


def test_a_paid_invoice_cannot_be_voided_and_stays_as_it_was(staff, invoice):
    payment_record(
        merchant=invoice.merchant,
        invoice=invoice,
        amount=Decimal("1.00"),
        currency="EUR",
        method="cash",
    )

    response = staff.post(
        reverse("invoices:void", args=[invoice.pk]), {"reason": "Oops"}, **HTMX
    )

    assert response.status_code == 422
    assert "issue a credit note instead" in response.content.decode()
    invoice.refresh_from_db()
    assert not invoice.is_void


# --- Issuing from the order drawer --------------------------------------------------


def test_the_drawer_loads_the_invoice_section(staff, order):
    html = staff.get(reverse("orders:detail", args=[order.pk]), **HTMX).content
    assert reverse("invoices:order_panel", args=[order.pk]).encode() in html

    panel = staff.get(reverse("invoices:order_panel", args=[order.pk]), **HTMX)

    assert panel.status_code == 200
    text = panel.content.decode()
    assert "Issue invoice" in text
    assert reverse("invoices:confirmation", args=[order.pk]) in text


def test_issuing_from_the_drawer_shows_the_invoice(staff, order):
    response = staff.post(reverse("invoices:issue", args=[order.pk]), **HTMX)

    invoice = Invoice.objects.get(order=order)
    assert response.status_code == 200
    html = response.content.decode()
    assert invoice.number in html
    assert "Issue invoice" not in html
    assert reverse("invoices:pdf", args=[invoice.pk]) in html
    assert triggers(response)["performile:toast"]["text"] == (
        f"Invoice {invoice.number} issued."
    )


def test_issuing_an_invoiced_order_again_links_to_its_invoice(staff, invoice):
    response = staff.post(reverse("invoices:issue", args=[invoice.order_id]), **HTMX)

    assert response.status_code == 422
    html = response.content.decode()
    assert "already invoiced" in html
    assert f'href="{reverse("invoices:detail", args=[invoice.pk])}"' in html
    assert Invoice.objects.count() == 1


def test_without_script_issuing_redirects_to_the_new_invoice(staff, order):
    response = staff.post(reverse("invoices:issue", args=[order.pk]))

    invoice = Invoice.objects.get(order=order)
    assert response["Location"] == reverse("invoices:detail", args=[invoice.pk])


def test_the_order_confirmation_pdf(staff, order):
    response = staff.get(reverse("invoices:confirmation", args=[order.pk]))

    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    text = pdf_text(response.content)
    assert "confirmation" in text
    assert order.order_number in text
    assert "Sveavägen 5" in text
    assert "50.00 EUR" in text


# --- Downloads ---------------------------------------------------------------------


def test_a_download_is_audited_and_can_be_shown_inline(staff, invoice, staff_user):
    response = staff.get(reverse("invoices:pdf", args=[invoice.pk]), {"inline": "1"})

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("inline")
    assert f"{invoice.number}.pdf" in response["Content-Disposition"]
    event = AuditEvent.objects.get(action="invoice.downloaded")
    assert event.actor == staff_user
    assert event.order_id == invoice.order_id


# --- Payments, statements, export ---------------------------------------------------


def test_the_payments_list_marks_unallocated_payments(staff, store, buyer, invoice):
    waiting = make_order(store, buyer, status=OrderStatus.PENDING)
    payment_record(
        merchant=store.merchant,
        order=waiting,
        amount=Decimal("5.00"),
        currency="EUR",
        method="card",
        reference="CARD-1",
    )
    payment_record(
        merchant=store.merchant,
        invoice=invoice,
        amount=Decimal("7.00"),
        currency="EUR",
        method="cash",
        reference="TILL-2",
    )

    html = staff.get(reverse("invoices:payments")).content.decode()

    assert "CARD-1" in html
    assert "TILL-2" in html
    assert html.count("data-unallocated") == 1
    assert invoice.number in html


def test_the_statements_page_generates_a_statement(staff, invoice, buyer):
    page = staff.get(reverse("invoices:statements"))
    assert page.status_code == 200
    assert "Generate statement" in page.content.decode()

    response = staff.post(
        reverse("invoices:statements"),
        {
            "customer": buyer.pk,
            "currency": "eur",
            "start": (today() - timedelta(days=3)).isoformat(),
            "end": today().isoformat(),
        },
    )

    statement = Statement.objects.get()
    assert response["Location"] == reverse("invoices:statement", args=[statement.pk])
    assert statement.currency == "EUR"
    detail = staff.get(response["Location"]).content.decode()
    assert invoice.number in detail
    assert reverse("invoices:statement-pdf", args=[statement.pk]) in detail
    assert "50.00" in detail
    listed = staff.get(reverse("invoices:statements")).content.decode()
    assert reverse("invoices:statement", args=[statement.pk]) in listed


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"end": "2026-01-01", "start": "2026-02-01"}, "Before the period start"),
        ({"currency": "E1R"}, "3-letter code"),
        ({"customer": "999999"}, "Select a valid choice"),
    ],
)
def test_a_bad_statement_request_changes_nothing(staff, buyer, change, message):
    data = {
        "customer": buyer.pk,
        "currency": "EUR",
        "start": "2026-01-01",
        "end": "2026-01-31",
        **change,
    }
    response = staff.post(reverse("invoices:statements"), data)

    assert response.status_code == 422
    assert message in response.content.decode()
    assert not Statement.objects.exists()


def test_the_export_streams_csv(staff, invoice):
    response = staff.get(
        reverse("invoices:export"),
        {
            "kind": "invoices",
            "start": (today() - timedelta(days=1)).isoformat(),
            "end": today().isoformat(),
        },
    )

    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    body = b"".join(response.streaming_content).decode()
    assert invoice.number in body
    assert len(body.splitlines()) == 1 + invoice.lines.count()
    exported = AuditEvent.objects.get(action="invoices.exported")
    assert exported.data["kind"] == "invoices"
    assert exported.data["customer_id"] is None


def test_the_export_form_and_its_errors(staff):
    assert staff.get(reverse("invoices:export")).status_code == 200

    response = staff.get(
        reverse("invoices:export"),
        {"kind": "invoices", "start": "2026-02-01", "end": "2026-01-01"},
    )

    assert response.status_code == 400
    assert "Before the start" in response.content.decode()


def test_the_nav_shows_invoices_to_staff(staff):
    html = staff.get(reverse("orders:list")).content.decode()
    assert f'href="{reverse("invoices:list")}"' in html
