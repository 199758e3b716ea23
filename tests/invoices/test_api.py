"""The invoices REST API: lists and filters, detail, issuing, payments, credit
notes, voiding, and who may see and write what."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from drf_spectacular.generators import SchemaGenerator

from invoices.models import CreditNote, Invoice, Payment
from invoices.services import (
    credit_note_issue,
    invoice_issue_for_order,
    invoice_void,
    payment_record,
)
from tests.factories import CustomerFactory
from tests.invoices.conftest import make_order

pytestmark = pytest.mark.django_db

OLD = date(2026, 1, 10)  # due 30 days later: long overdue


def _issue(order, staff_user, issue_date=None):
    return invoice_issue_for_order(order=order, actor=staff_user, issue_date=issue_date)


def _pay(invoice, amount, staff_user):
    return payment_record(
        merchant=invoice.merchant,
        invoice=invoice,
        amount=Decimal(amount),
        currency=invoice.currency,
        method=Payment.Method.BANK_TRANSFER,
        actor=staff_user,
    )


def _as(api_client, user):
    api_client.force_authenticate(user)
    return api_client


def _ids(answer):
    assert answer.status_code == 200, answer.json()
    return [row["id"] for row in answer.json()["results"]]


@pytest.fixture
def invoice(order, staff_user):
    return _issue(order, staff_user)


@pytest.fixture
def book(store, buyer, profile, merchant, staff_user):
    """Four invoices: overdue, pending, paid and void."""
    other_buyer = CustomerFactory(merchant=merchant, customer_number="C-777")
    overdue = _issue(
        make_order(store, buyer, order_number="ORD-OVERDUE"), staff_user, OLD
    )
    pending = _issue(make_order(store, other_buyer, order_number="ORD-NEW"), staff_user)
    paid = _issue(
        make_order(store, buyer, order_number="ORD-PAID"),
        staff_user,
        date(2026, 3, 1),
    )
    _pay(paid, paid.total, staff_user)
    void = _issue(make_order(store, buyer, order_number="ORD-VOID"), staff_user)
    invoice_void(invoice=void, actor=staff_user, reason="Wrong customer")
    return {"overdue": overdue, "pending": pending, "paid": paid, "void": void}


# --- Lists and filters ------------------------------------------------------------


def test_staff_list_invoices_newest_first_with_their_balance(book, staff_api):
    answer = staff_api.get("/api/invoices/")
    rows = answer.json()["results"]
    assert [row["id"] for row in rows] == [
        book[name].pk for name in ("void", "paid", "pending", "overdue")
    ]
    paid = rows[1]
    assert paid["number"] == book["paid"].number
    assert paid["state"] == "issued"
    assert paid["payment_status"] == "paid"
    assert paid["total"] == "50.00"
    assert paid["paid"] == "50.00"
    assert paid["credited"] == "0.00"
    assert paid["outstanding"] == "0.00"
    assert paid["subtotal"] == "40.00"
    assert paid["tax_total"] == "10.00"
    assert paid["currency"] == "EUR"
    assert paid["issue_date"] == "2026-03-01"
    assert paid["due_date"] == "2026-03-31"
    assert paid["order"]["order_number"] == "ORD-PAID"
    assert paid["customer"]["id"] == book["paid"].customer_id
    assert set(paid["customer"]) == {"id", "customer_number", "name"}
    assert paid["pdf_url"] == f"/invoices/{book['paid'].pk}/pdf"
    assert rows[0]["payment_status"] == "void"
    assert rows[0]["state"] == "void"


@pytest.mark.parametrize("status", ["paid", "pending", "overdue", "void"])
def test_the_list_filters_by_payment_status(book, staff_api, status):
    assert _ids(staff_api.get("/api/invoices/", {"status": status})) == [
        book[status].pk
    ]


def test_the_list_filters_by_customer_and_customer_number(book, staff_api):
    pending = book["pending"]
    by_id = staff_api.get("/api/invoices/", {"customer": pending.customer_id})
    by_number = staff_api.get("/api/invoices/", {"customer_number": "C-777"})
    assert _ids(by_id) == _ids(by_number) == [pending.pk]


def test_the_list_filters_by_issue_date_both_ends_included(book, staff_api):
    answer = staff_api.get(
        "/api/invoices/", {"issued_from": "2026-01-10", "issued_to": "2026-03-01"}
    )
    assert _ids(answer) == [book["paid"].pk, book["overdue"].pk]


def test_the_list_filters_overdue_invoices(book, staff_api):
    assert _ids(staff_api.get("/api/invoices/", {"overdue": "true"})) == [
        book["overdue"].pk
    ]


def test_the_list_searches_numbers_and_order_references(book, staff_api):
    assert _ids(staff_api.get("/api/invoices/", {"q": "ord-new"})) == [
        book["pending"].pk
    ]
    number = book["paid"].number
    assert _ids(staff_api.get("/api/invoices/", {"q": number})) == [book["paid"].pk]


def test_a_bad_filter_is_a_400_naming_it(book, staff_api):
    answer = staff_api.get("/api/invoices/", {"status": "late", "issued_from": "x"})
    assert answer.status_code == 400
    error = answer.json()["error"]
    assert error["code"] == "invalid"
    assert {"status", "issued_from"} <= set(error["fields"])


def test_the_list_is_paginated_by_cursor(store, buyer, profile, staff_user, staff_api):
    invoices = [_issue(make_order(store, buyer), staff_user) for _ in range(3)]
    first = staff_api.get("/api/invoices/", {"page_size": 2}).json()
    assert [row["id"] for row in first["results"]] == [
        invoices[2].pk,
        invoices[1].pk,
    ]
    second = staff_api.get(first["next"]).json()
    assert [row["id"] for row in second["results"]] == [invoices[0].pk]
    assert second["next"] is None


def test_the_list_takes_as_many_queries_for_25_invoices_as_for_5(
    store, profile, staff_user, staff_api, django_assert_max_num_queries
):
    def add(count):
        for _ in range(count):
            buyer = CustomerFactory(merchant=store.merchant)
            _issue(make_order(store, buyer), staff_user)

    add(5)
    with CaptureQueriesContext(connection) as five:
        assert len(_ids(staff_api.get("/api/invoices/"))) == 5
    add(20)
    with django_assert_max_num_queries(len(five)):
        assert len(_ids(staff_api.get("/api/invoices/"))) == 25


def test_payments_list_filters(book, store, buyer, staff_user, staff_api):
    on_invoice = book["paid"].payments.get()
    waiting = payment_record(
        merchant=store.merchant,
        order=make_order(store, buyer, order_number="ORD-PREPAID"),
        amount=Decimal("12.00"),
        currency="EUR",
        method=Payment.Method.CARD,
        received_at=on_invoice.received_at.replace(year=2025),
        actor=staff_user,
    )
    assert _ids(staff_api.get("/api/payments/")) == [waiting.pk, on_invoice.pk]
    assert _ids(staff_api.get("/api/payments/", {"invoice": book["paid"].pk})) == [
        on_invoice.pk
    ]
    assert _ids(staff_api.get("/api/payments/", {"unallocated": "true"})) == [
        waiting.pk
    ]
    assert _ids(staff_api.get("/api/payments/", {"customer": buyer.pk})) == [
        waiting.pk,
        on_invoice.pk,
    ]
    to_2025 = {"received_from": "2025-01-01", "received_to": "2025-12-31"}
    assert _ids(staff_api.get("/api/payments/", to_2025)) == [waiting.pk]
    row = staff_api.get("/api/payments/", {"invoice": book["paid"].pk}).json()
    shown = row["results"][0]
    assert shown["amount"] == "50.00"
    assert shown["method"] == "bank_transfer"
    assert shown["invoice"] == {"id": book["paid"].pk, "number": book["paid"].number}


def test_credit_notes_list_and_detail(invoice, staff_user, staff_api):
    note = credit_note_issue(
        invoice=invoice, actor=staff_user, reason="Damaged", amount=Decimal("5.00")
    )
    assert _ids(staff_api.get("/api/credit-notes/")) == [note.pk]
    detail = staff_api.get(f"/api/credit-notes/{note.pk}").json()
    assert detail["number"] == note.number
    assert detail["invoice"] == {"id": invoice.pk, "number": invoice.number}
    assert detail["total"] == "5.00"
    assert detail["reason"] == "Damaged"
    assert [line["total"] for line in detail["lines"]] == ["5.00"]
    assert detail["lines"][0]["invoice_line"] is None
    assert detail["pdf_url"] == f"/invoices/credit-notes/{note.pk}/pdf"


# --- Detail -----------------------------------------------------------------------


def test_the_detail_has_lines_credit_notes_and_payments(invoice, staff_user, staff_api):
    note = credit_note_issue(
        invoice=invoice, actor=staff_user, reason="Goodwill", amount=Decimal("10.00")
    )
    payment = _pay(invoice, "15.00", staff_user)
    answer = staff_api.get(f"/api/invoices/{invoice.pk}")
    assert answer.status_code == 200
    body = answer.json()
    assert [line["total"] for line in body["lines"]] == ["20.00", "30.00"]
    assert body["lines"][0]["quantity"] == "2.000"
    assert body["lines"][0]["tax_rate"] == "25.00"
    assert [(n["id"], n["number"], n["total"]) for n in body["credit_notes"]] == [
        (note.pk, note.number, "10.00")
    ]
    assert set(body["credit_notes"][0]) == {
        "id",
        "number",
        "total",
        "issue_date",
        "pdf_url",
    }
    assert [(p["id"], p["amount"]) for p in body["payments"]] == [(payment.pk, "15.00")]
    assert (body["credited"], body["paid"], body["outstanding"]) == (
        "10.00",
        "15.00",
        "25.00",
    )
    assert body["payment_status"] == "pending"


# --- Issuing ----------------------------------------------------------------------


def test_staff_issue_an_orders_invoice_once(order, staff_api):
    url = f"/api/orders/{order.pk}/invoice"
    answer = staff_api.post(url, {}, format="json")
    assert answer.status_code == 201, answer.json()
    body = answer.json()
    invoice = Invoice.objects.get(order=order)
    assert body["id"] == invoice.pk
    assert body["number"] == invoice.number
    assert body["total"] == "50.00"
    assert len(body["lines"]) == 2
    for _ in range(2):
        again = staff_api.post(url, {}, format="json")
        assert again.status_code == 409
        error = again.json()["error"]
        assert error["code"] == "already_invoiced"
        assert invoice.number in error["message"]
    assert Invoice.objects.filter(order=order).count() == 1


def test_an_order_invoiced_elsewhere_is_a_conflict(order, staff_user, staff_api):
    invoice = _issue(order, staff_user)
    answer = staff_api.post(f"/api/orders/{order.pk}/invoice", {}, format="json")
    assert answer.status_code == 409
    assert invoice.number in answer.json()["error"]["message"]


def test_another_merchants_staff_cannot_find_the_order_to_invoice(
    order, api_client, other_merchant_staff
):
    answer = _as(api_client, other_merchant_staff).post(
        f"/api/orders/{order.pk}/invoice", {}, format="json"
    )
    assert answer.status_code == 404
    assert not Invoice.objects.exists()


def test_a_reseller_may_not_invoice_an_order_of_their_store(
    second_store, buyer, profile, reseller, api_client
):
    order = make_order(second_store, buyer)
    answer = _as(api_client, reseller).post(
        f"/api/orders/{order.pk}/invoice", {}, format="json"
    )
    assert answer.status_code == 403
    assert answer.json()["error"]["code"] == "permission_denied"
    assert not Invoice.objects.exists()


# --- Payments ---------------------------------------------------------------------


def test_staff_record_a_payment_in_the_invoices_currency(invoice, staff_api):
    answer = staff_api.post(
        f"/api/invoices/{invoice.pk}/payments",
        {
            "amount": "20.00",
            "method": "bank_transfer",
            "reference": "BG 123",
            "received_at": "2026-03-05T10:00:00Z",
        },
        format="json",
    )
    assert answer.status_code == 201, answer.json()
    body = answer.json()
    payment = Payment.objects.get()
    assert body["id"] == payment.pk
    assert body["amount"] == "20.00"
    assert body["currency"] == "EUR"
    assert body["reference"] == "BG 123"
    assert body["received_at"] == "2026-03-05T10:00:00Z"
    assert payment.invoice_id == invoice.pk
    detail = staff_api.get(f"/api/invoices/{invoice.pk}").json()
    assert detail["outstanding"] == "30.00"


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"amount": "abc", "method": "cash"}, "amount"),
        ({"amount": "1.234", "method": "cash"}, "amount"),
        ({"amount": "0", "method": "cash"}, "amount"),
        ({"amount": "10.00", "method": "cash", "currency": "USD"}, "currency"),
        ({"amount": "10.00", "method": "cash", "currency": "euro"}, "currency"),
        ({"amount": "10.00", "method": "barter"}, "method"),
        ({"method": "cash"}, "amount"),
    ],
)
def test_a_bad_payment_is_a_400_naming_the_field_and_stores_nothing(
    invoice, staff_api, payload, field
):
    answer = staff_api.post(
        f"/api/invoices/{invoice.pk}/payments", payload, format="json"
    )
    assert answer.status_code == 400
    assert field in answer.json()["error"]["fields"]
    assert not Payment.objects.exists()


def test_no_payment_on_a_void_invoice(invoice, staff_user, staff_api):
    invoice_void(invoice=invoice, actor=staff_user, reason="Duplicate")
    answer = staff_api.post(
        f"/api/invoices/{invoice.pk}/payments",
        {"amount": "10.00", "method": "cash"},
        format="json",
    )
    assert answer.status_code == 409
    assert not Payment.objects.exists()


# --- Credit notes -----------------------------------------------------------------


def test_staff_credit_invoice_lines(invoice, staff_api):
    line = invoice.lines.get(position=1)
    answer = staff_api.post(
        f"/api/invoices/{invoice.pk}/credit-notes",
        {"reason": "One returned", "lines": [{"line": line.pk, "quantity": "1"}]},
        format="json",
    )
    assert answer.status_code == 201, answer.json()
    body = answer.json()
    assert body["total"] == "10.00"
    assert body["invoice"]["id"] == invoice.pk
    assert [(x["invoice_line"], x["quantity"]) for x in body["lines"]] == [
        (line.pk, "1.000")
    ]
    detail = staff_api.get(f"/api/invoices/{invoice.pk}").json()
    assert detail["credited"] == "10.00"
    assert detail["outstanding"] == "40.00"


def test_staff_credit_an_amount(invoice, staff_api):
    answer = staff_api.post(
        f"/api/invoices/{invoice.pk}/credit-notes",
        {"reason": "Late delivery", "amount": "12.50", "description": "Goodwill"},
        format="json",
    )
    assert answer.status_code == 201, answer.json()
    body = answer.json()
    assert body["total"] == "12.50"
    assert body["lines"][0]["description"] == "Goodwill"
    assert body["lines"][0]["tax_rate"] == "25.00"


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"reason": "Too much", "amount": "50.01"}, "amount"),
        ({"amount": "5.00"}, "reason"),
        ({"reason": "Both", "amount": "5.00", "lines": [{"line": 1}]}, "amount"),
    ],
)
def test_a_bad_credit_note_is_a_400_and_stores_nothing(
    invoice, staff_api, payload, field
):
    answer = staff_api.post(
        f"/api/invoices/{invoice.pk}/credit-notes", payload, format="json"
    )
    assert answer.status_code == 400
    assert field in answer.json()["error"]["fields"]
    assert not CreditNote.objects.exists()


def test_crediting_more_than_a_line_has_left_is_a_400(invoice, staff_api):
    line = invoice.lines.get(position=2)
    answer = staff_api.post(
        f"/api/invoices/{invoice.pk}/credit-notes",
        {"reason": "Returned", "lines": [{"line": line.pk, "quantity": "2"}]},
        format="json",
    )
    assert answer.status_code == 400
    assert "quantity" in answer.json()["error"]["fields"]
    assert not CreditNote.objects.exists()


# --- Voiding ----------------------------------------------------------------------


def test_staff_void_an_unpaid_invoice(invoice, staff_api):
    answer = staff_api.post(
        f"/api/invoices/{invoice.pk}/void", {"reason": "Duplicate"}, format="json"
    )
    assert answer.status_code == 200, answer.json()
    body = answer.json()
    assert body["state"] == "void"
    assert body["payment_status"] == "void"
    assert body["void_reason"] == "Duplicate"


def test_a_paid_invoice_cannot_be_voided(invoice, staff_user, staff_api):
    _pay(invoice, "5.00", staff_user)
    answer = staff_api.post(
        f"/api/invoices/{invoice.pk}/void", {"reason": "Duplicate"}, format="json"
    )
    assert answer.status_code == 409
    assert answer.json()["error"]["code"] == "conflict"
    invoice.refresh_from_db()
    assert invoice.state == Invoice.State.ISSUED


def test_voiding_needs_a_reason(invoice, staff_api):
    answer = staff_api.post(f"/api/invoices/{invoice.pk}/void", {}, format="json")
    assert answer.status_code == 400
    assert "reason" in answer.json()["error"]["fields"]


# --- Who sees and writes what -----------------------------------------------------


def _every_endpoint(invoice, note):
    return [
        ("get", f"/api/invoices/{invoice.pk}", None),
        ("get", f"/api/credit-notes/{note.pk}", None),
        (
            "post",
            f"/api/invoices/{invoice.pk}/payments",
            {"amount": "1", "method": "cash"},
        ),
        ("post", f"/api/invoices/{invoice.pk}/credit-notes", {"reason": "x"}),
        ("post", f"/api/invoices/{invoice.pk}/void", {"reason": "x"}),
        ("post", f"/api/orders/{invoice.order_id}/invoice", {}),
    ]


@pytest.fixture
def credited(invoice, staff_user):
    return credit_note_issue(
        invoice=invoice, actor=staff_user, reason="Goodwill", amount=Decimal("1.00")
    )


@pytest.mark.parametrize("who", ["other_merchant_staff", "supplier"])
def test_outsiders_find_nothing_anywhere(
    invoice, credited, staff_user, api_client, request, who
):
    _pay(invoice, "2.00", staff_user)
    client = _as(api_client, request.getfixturevalue(who))
    for method, url, payload in _every_endpoint(invoice, credited):
        answer = getattr(client, method)(url, payload, format="json")
        assert answer.status_code == 404, (url, answer.status_code)
    for url in ("/api/invoices/", "/api/payments/", "/api/credit-notes/"):
        assert _ids(client.get(url)) == []
    assert Payment.objects.count() == 1
    assert CreditNote.objects.count() == 1


def test_a_customer_sees_only_their_own_and_cannot_write(
    store, customer, profile, invoice, staff_user, api_client
):
    own = _issue(make_order(store, customer), staff_user)
    note = credit_note_issue(
        invoice=own, actor=staff_user, reason="Goodwill", amount=Decimal("1.00")
    )
    payment = _pay(own, "2.00", staff_user)
    client = _as(api_client, customer.user)
    assert _ids(client.get("/api/invoices/")) == [own.pk]
    assert _ids(client.get("/api/credit-notes/")) == [note.pk]
    assert _ids(client.get("/api/payments/")) == [payment.pk]
    assert client.get(f"/api/invoices/{own.pk}").status_code == 200
    assert client.get(f"/api/invoices/{invoice.pk}").status_code == 404
    for method, url, payload in _every_endpoint(own, note)[2:]:
        answer = getattr(client, method)(url, payload, format="json")
        assert answer.status_code == 403, (url, answer.status_code)
    for _, url, payload in _every_endpoint(invoice, note)[2:5]:
        assert client.post(url, payload, format="json").status_code == 404
    assert Payment.objects.count() == 1
    assert CreditNote.objects.count() == 1
    assert Invoice.objects.filter(state=Invoice.State.VOID).count() == 0


def test_a_reseller_reads_their_stores_invoices_but_cannot_write(
    second_store, buyer, profile, invoice, staff_user, reseller, api_client
):
    theirs = _issue(make_order(second_store, buyer), staff_user)
    client = _as(api_client, reseller)
    assert _ids(client.get("/api/invoices/")) == [theirs.pk]
    assert client.get(f"/api/invoices/{invoice.pk}").status_code == 404
    answer = client.post(
        f"/api/invoices/{theirs.pk}/void", {"reason": "x"}, format="json"
    )
    assert answer.status_code == 403
    theirs.refresh_from_db()
    assert theirs.state == Invoice.State.ISSUED


def test_an_admin_may_write(invoice, admin_member, api_client):
    answer = _as(api_client, admin_member).post(
        f"/api/invoices/{invoice.pk}/payments",
        {"amount": "5.00", "method": "cash"},
        format="json",
    )
    assert answer.status_code == 201


def test_anonymous_callers_are_refused(invoice, api_client):
    assert api_client.get("/api/invoices/").status_code in (401, 403)


def test_the_endpoints_are_in_the_openapi_schema(db):
    paths = SchemaGenerator().get_schema(request=None, public=True)["paths"]
    for path, method in [
        ("/api/invoices/", "get"),
        ("/api/invoices/{id}", "get"),
        ("/api/invoices/{id}/payments", "post"),
        ("/api/invoices/{id}/credit-notes", "post"),
        ("/api/invoices/{id}/void", "post"),
        ("/api/orders/{order_id}/invoice", "post"),
        ("/api/payments/", "get"),
        ("/api/credit-notes/", "get"),
        ("/api/credit-notes/{id}", "get"),
    ]:
        assert method in paths[path], (path, method)
    parameters = {p["name"] for p in paths["/api/invoices/"]["get"]["parameters"]}
    assert {"status", "customer", "overdue", "q", "issued_from", "cursor"} <= parameters


def test_staff_put_an_unallocated_payment_on_an_invoice(
    invoice, merchant, staff_api, other_merchant_staff, reseller
):
    from rest_framework.test import APIClient

    from invoices.services import payment_record
    from performile.models import AuditEvent

    loose = payment_record(
        merchant=merchant,
        amount=Decimal("50.00"),
        currency="EUR",
        method="stripe",
        provider_id="pi_loose",
        actor_label="Stripe",
    )
    url = f"/api/payments/{loose.pk}/allocate"
    for outsider in (other_merchant_staff, reseller):
        client = APIClient()
        client.force_authenticate(outsider)
        response = client.post(url, {"invoice": invoice.pk}, format="json")
        assert response.status_code == 404
    assert staff_api.post(url, {}, format="json").status_code == 400

    answer = staff_api.post(url, {"invoice": invoice.pk}, format="json")

    assert answer.status_code == 200
    loose.refresh_from_db()
    assert loose.invoice == invoice
    detail = staff_api.get(f"/api/invoices/{invoice.pk}").json()
    assert detail["payment_status"] == "paid"
    again = staff_api.post(url, {"invoice": invoice.pk}, format="json")
    assert again.status_code == 409
    assert AuditEvent.objects.filter(action="payment.allocated").count() == 1
