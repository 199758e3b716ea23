"""The portal's billing pages: invoices, statements, payments, export, PDFs."""

import csv
import io
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from pypdf import PdfReader

from invoices.models import Invoice, Statement
from invoices.services import (
    billing_profile,
    credit_note_issue,
    invoice_issue_for_order,
    payment_record,
    statement_generate,
)
from orders.services import order_change_status
from orders.state_machine import OrderStatus
from performile.models import AuditEvent
from portal.invoice_forms import months_back
from tests.invoices.conftest import make_order

pytestmark = pytest.mark.django_db

CUSTOMER_NUMBER = "C10000001"


def at(*args):
    return time_machine.travel(datetime(*args, tzinfo=UTC), tick=False)


def invoice_of(store, customer, amount, day, currency="EUR"):
    order = make_order(store, customer, lines=((1, amount),), currency=currency)
    return invoice_issue_for_order(order=order, issue_date=day)


def pay(invoice, amount, when, reference=""):
    return payment_record(
        merchant=invoice.merchant,
        invoice=invoice,
        amount=Decimal(amount),
        currency=invoice.currency,
        method="bank_transfer",
        reference=reference or f"BANK-{amount}",
        received_at=when,
    )


def credit(invoice, amount, day, actor, reason="Damaged"):
    with at(day.year, day.month, day.day, 12):
        return credit_note_issue(
            invoice=invoice, actor=actor, reason=reason, amount=Decimal(amount)
        )


def text_of(content: bytes) -> str:
    return "\n".join(
        page.extract_text() for page in PdfReader(io.BytesIO(content)).pages
    )


def url(name, *args):
    return reverse(f"portal:{name}", args=args)


@pytest.fixture
def profile(merchant):
    """The merchant's billing profile: 30 days' terms."""
    return billing_profile(merchant)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def account(store, profile, portal_customer, other_portal_user):
    """On 15 June 2026 (terms: 30 days): A overdue, B pending, C paid; D is
    another customer's."""
    a = invoice_of(store, portal_customer, "100.00", date(2026, 4, 1))
    b = invoice_of(store, portal_customer, "40.00", date(2026, 6, 1))
    c = invoice_of(store, portal_customer, "25.00", date(2026, 5, 2))
    pay(c, "25.00", datetime(2026, 5, 10, 9, tzinfo=UTC))
    d = invoice_of(store, other_portal_user.customer, "77.00", date(2026, 4, 1))
    return {"a": a, "b": b, "c": c, "d": d}


def shown(response) -> set[str]:
    return {invoice.number for invoice in response.context["page"].object_list}


# --- the list ------------------------------------------------------------------


def test_the_list_shows_own_invoices_with_their_status_and_account_totals(
    portal, account
):
    with at(2026, 6, 15, 12):
        response = portal.get(url("invoices"))
    assert response.status_code == 200
    a, b, c, d = (account[k] for k in "abcd")
    assert shown(response) == {a.number, b.number, c.number}
    assert d.number not in response.content.decode()
    statuses = {i.number: i.payment_status for i in response.context["page"]}
    assert statuses == {a.number: "overdue", b.number: "pending", c.number: "paid"}
    html = response.content.decode()
    assert "badge--red" in html
    assert "badge--orange" in html
    assert "badge--green" in html
    [totals] = response.context["totals"]
    assert totals["currency"] == "EUR"
    assert totals["open_amount"] == Decimal("140.00")
    assert totals["overdue_amount"] == Decimal("100.00")


@pytest.mark.parametrize(
    ("status", "expected"), [("overdue", "a"), ("pending", "b"), ("paid", "c")]
)
def test_the_status_filter(portal, account, status, expected):
    with at(2026, 6, 15, 12):
        response = portal.get(url("invoices"), {"status": status})
    assert shown(response) == {account[expected].number}


def test_an_invoice_turns_overdue_the_day_after_its_due_date(portal, account):
    b = account["b"]  # due 1 July 2026, merchant in Europe/Stockholm
    with at(2026, 7, 1, 21, 50):  # 23:50 on 1 July in Stockholm
        assert b.number in shown(portal.get(url("invoices"), {"status": "pending"}))
    with at(2026, 7, 1, 22, 10):  # 00:10 on 2 July in Stockholm
        assert b.number in shown(portal.get(url("invoices"), {"status": "overdue"}))


def test_the_issue_date_filter(portal, account):
    with at(2026, 6, 15, 12):
        response = portal.get(url("invoices"), {"start": "2026-05-01"})
        assert shown(response) == {account["b"].number, account["c"].number}
        response = portal.get(
            url("invoices"), {"start": "2026-04-01", "end": "2026-05-01"}
        )
        assert shown(response) == {account["a"].number}


def test_bad_filters_answer_400_with_the_reason(portal, account):
    response = portal.get(url("invoices"), {"start": "2026-06-01", "end": "2026-05-01"})
    assert response.status_code == 400
    assert "The period starts after it ends." in response.content.decode()
    response = portal.get(url("invoices"), {"start": "yesterday"})
    assert response.status_code == 400
    response = portal.get(url("invoices"), {"status": "stolen"})
    assert response.status_code == 400


def test_the_list_pages_by_20(portal, store, profile, portal_customer):
    for day in range(1, 23):
        invoice_of(store, portal_customer, "10.00", date(2026, 3, day))
    first = portal.get(url("invoices"))
    assert len(first.context["page"].object_list) == 20
    second = portal.get(url("invoices"), {"page": 2})
    assert len(second.context["page"].object_list) == 2


def test_a_credit_note_is_shown_under_the_invoice_it_credits(
    portal, account, staff_user
):
    note = credit(account["a"], "30.00", date(2026, 4, 10), staff_user)
    response = portal.get(url("invoices"))
    html = response.content.decode()
    row = html.index(f'data-invoice-id="{account["a"].pk}"')
    note_row = html.index(f'data-credit-note-id="{note.pk}"')
    # Newest first: B, C, then A with its credit note below it.
    assert html.index(f'data-invoice-id="{account["c"].pk}"') < row < note_row
    assert url("invoices_credit_note_pdf", note.pk) in html


def test_the_list_has_the_billing_tabs_and_the_export_form(portal, account):
    html = portal.get(url("invoices")).content.decode()
    for name in ("invoices_statements", "invoices_payments", "invoices_export"):
        assert url(name) in html


# --- invoices exist only after confirmation --------------------------------------


@pytest.mark.parametrize("status", [OrderStatus.DRAFT, OrderStatus.PENDING])
def test_an_unconfirmed_order_has_no_invoice_until_it_is_confirmed(
    portal,
    store,
    profile,
    portal_customer,
    staff_user,
    status,
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        order = make_order(store, portal_customer, status=status)
    response = portal.get(url("invoices"))
    assert not response.context["page"].object_list
    assert "No invoices yet" in response.content.decode()
    if status == OrderStatus.DRAFT:
        with django_capture_on_commit_callbacks(execute=True):
            order_change_status(order=order, to=OrderStatus.PENDING, actor=staff_user)
        assert not portal.get(url("invoices")).context["page"].object_list
    with django_capture_on_commit_callbacks(execute=True):
        order_change_status(order=order, to=OrderStatus.CONFIRMED, actor=staff_user)
    [invoice] = portal.get(url("invoices")).context["page"].object_list
    assert invoice.order_id == order.pk


# --- one invoice -------------------------------------------------------------------


def test_the_invoice_page_shows_lines_payments_credit_notes_and_the_preview(
    portal, account, staff_user, portal_user
):
    a = account["a"]
    pay(a, "20.00", datetime(2026, 4, 20, 9, tzinfo=UTC), reference="MY-REF")
    note = credit(a, "30.00", date(2026, 4, 10), staff_user)
    with at(2026, 6, 15, 12):
        response = portal.get(url("invoices_detail", a.pk))
    assert response.status_code == 200
    html = response.content.decode()
    assert a.number in html
    assert "Item at 100.00" in html
    assert "50.00 outstanding" in html  # 100 - 20 paid - 30 credited
    assert "badge--red" in html
    assert [p.amount for p in response.context["payments"]] == [Decimal("20.00")]
    assert url("invoices_credit_note_pdf", note.pk) in html
    assert f'src="{url("invoices_pdf", a.pk)}?inline=1"' in html
    assert f'href="{url("invoices_pdf", a.pk)}" download' in html
    event = AuditEvent.objects.get(action="invoice.viewed")
    assert event.actor == portal_user
    assert event.object_id == str(a.pk)
    assert event.order_id == a.order_id


def test_the_pdf_is_the_customer_copy_watermarked_and_audited(
    portal, account, portal_user
):
    a = account["a"]
    response = portal.get(url("invoices_pdf", a.pk))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment")
    text = text_of(response.content)
    assert a.number in text
    assert f"Downloaded by customer {CUSTOMER_NUMBER}" in text
    event = AuditEvent.objects.get(action="invoice.downloaded")
    assert event.actor == portal_user
    assert event.data["copy"] == "customer"


def test_the_inline_preview_may_be_framed_by_the_portal_only(portal, account):
    response = portal.get(url("invoices_pdf", account["a"].pk), {"inline": "1"})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("inline")
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    assert response["Cache-Control"] == "private, no-store"


def test_a_credit_note_pdf_is_watermarked(portal, account, staff_user):
    note = credit(account["a"], "30.00", date(2026, 4, 10), staff_user)
    response = portal.get(url("invoices_credit_note_pdf", note.pk))
    assert response.status_code == 200
    text = text_of(response.content)
    assert note.number in text
    assert CUSTOMER_NUMBER in text
    assert AuditEvent.objects.filter(action="credit_note.downloaded").exists()


# --- isolation ---------------------------------------------------------------------


@pytest.fixture
def others(account, other_portal_user, staff_user):
    d = account["d"]
    note = credit(d, "7.00", date(2026, 4, 5), staff_user)
    statement = statement_generate(
        customer=other_portal_user.customer,
        currency="EUR",
        start=date(2026, 4, 1),
        end=date(2026, 4, 30),
    )
    return [
        url("invoices_detail", d.pk),
        url("invoices_pdf", d.pk),
        url("invoices_pdf", d.pk) + "?inline=1",
        url("invoices_credit_note_pdf", note.pk),
        url("invoices_statement", statement.pk),
        url("invoices_statement_pdf", statement.pk),
        url("invoices_statement_pdf", statement.pk) + "?inline=1",
        url("invoices_detail", 999999),
        url("invoices_credit_note_pdf", 999999),
        url("invoices_statement", 999999),
    ]


def test_another_customers_documents_are_404_on_every_url(portal, others):
    for address in others:
        assert portal.get(address).status_code == 404, address
    assert not AuditEvent.objects.filter(
        action__in=["invoice.viewed", "invoice.downloaded", "statement.viewed"]
    ).exists()


def test_merchant_staff_get_404_on_the_portal_pages(client, staff_user, account):
    client.force_login(staff_user)
    for name in ("invoices", "invoices_statements", "invoices_payments"):
        assert client.get(url(name)).status_code == 404
    assert client.get(url("invoices_detail", account["a"].pk)).status_code == 404


def test_signed_out_visitors_are_sent_to_sign_in(client, account):
    response = client.get(url("invoices_pdf", account["a"].pk))
    assert response.status_code == 302
    assert response["Location"].startswith(url("login"))


# --- statements --------------------------------------------------------------------


@pytest.fixture
def march(store, profile, portal_customer, staff_user):
    """Opening 100.00 (A, February); in March: B +250, a payment -100, a credit
    note -50, a payment of A -30. Running: 350, 250, 200, 170."""
    a = invoice_of(store, portal_customer, "100.00", date(2026, 2, 10))
    b = invoice_of(store, portal_customer, "250.00", date(2026, 3, 3))
    pay(b, "100.00", datetime(2026, 3, 5, 10, tzinfo=UTC))
    credit(b, "50.00", date(2026, 3, 10), staff_user)
    pay(a, "30.00", datetime(2026, 3, 20, 10, tzinfo=UTC))
    return {"a": a, "b": b}


def test_a_statement_for_the_chosen_period(portal, march, portal_user):
    with at(2026, 4, 15, 12):
        response = portal.post(
            url("invoices_statements"),
            {"currency": "EUR", "start": "2026-03-01", "end": "2026-03-31"},
        )
    statement = Statement.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url("invoices_statement", statement.pk)
    assert statement.customer == portal_user.customer
    assert not statement.monthly
    assert statement.opening_balance == Decimal("100.00")
    assert [e["balance"] for e in statement.entries] == [
        "350.00",
        "250.00",
        "200.00",
        "170.00",
    ]
    assert statement.closing_balance == Decimal("170.00")
    assert AuditEvent.objects.filter(
        action="statement.generated", actor=portal_user
    ).exists()

    with at(2026, 4, 15, 12, 5):  # within the portal's idle limit
        page = portal.get(response["Location"])
    html = page.content.decode()
    assert "€100.00" in html
    assert "€170.00" in html
    assert "€350.00" in html
    pdf_url = url("invoices_statement_pdf", statement.pk)
    assert f'src="{pdf_url}?inline=1"' in html
    assert AuditEvent.objects.filter(
        action="statement.viewed", object_id=str(statement.pk)
    ).exists()

    with at(2026, 4, 15, 12, 6):
        download = portal.get(pdf_url)
    assert download.status_code == 200
    text = text_of(download.content)
    assert "170.00" in text
    assert CUSTOMER_NUMBER in text
    assert AuditEvent.objects.filter(action="statement.downloaded").exists()


def test_the_form_defaults_to_the_last_full_month(portal, march):
    with at(2026, 4, 15, 12):
        response = portal.get(url("invoices_statements"))
    form = response.context["form"]
    assert form["start"].value() == date(2026, 3, 1)
    assert form["end"].value() == date(2026, 3, 31)
    assert form.fields["currency"].widget.is_hidden  # only EUR


def test_several_currencies_give_a_choice(portal, march, store, portal_customer):
    invoice_of(store, portal_customer, "500.00", date(2026, 3, 4), currency="SEK")
    response = portal.get(url("invoices_statements"))
    assert not response.context["form"].fields["currency"].widget.is_hidden
    assert '<option value="SEK"' in response.content.decode()


@pytest.mark.parametrize(
    ("period", "message"),
    [
        (("2026-04-01", "2026-04-30"), "The period cannot end in the future."),
        (("2026-03-31", "2026-03-01"), "The period starts after it ends."),
        (("2024-03-31", "2026-03-31"), "A statement covers at most 24 months"),
        (("2026-02-30", "2026-03-31"), "Enter a valid date."),
    ],
)
def test_a_bad_period_creates_nothing(portal, march, period, message):
    with at(2026, 4, 15, 12):
        response = portal.post(
            url("invoices_statements"),
            {"currency": "EUR", "start": period[0], "end": period[1]},
        )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Statement.objects.exists()


def test_24_months_exactly_are_allowed(portal, march):
    with at(2026, 4, 15, 12):
        response = portal.post(
            url("invoices_statements"),
            {"currency": "EUR", "start": "2024-04-01", "end": "2026-03-31"},
        )
    assert response.status_code == 302
    assert Statement.objects.get().closing_balance == Decimal("170.00")


def test_a_currency_the_customer_has_no_invoice_in_is_refused(portal, march):
    with at(2026, 4, 15, 12):
        response = portal.post(
            url("invoices_statements"),
            {"currency": "USD", "start": "2026-03-01", "end": "2026-03-31"},
        )
    assert response.status_code == 400
    assert not Statement.objects.exists()


def test_months_back():
    assert months_back(date(2026, 4, 1), 24) == date(2024, 4, 1)
    assert months_back(date(2028, 2, 29), 24) == date(2026, 3, 1)
    assert months_back(date(2026, 1, 31), 2) == date(2025, 12, 1)


def test_the_statement_list_shows_monthly_and_requested_statements(
    portal, march, portal_customer, other_portal_user
):
    monthly = statement_generate(
        customer=portal_customer,
        currency="EUR",
        start=date(2026, 2, 1),
        end=date(2026, 2, 28),
        monthly=True,
    )
    mine = statement_generate(
        customer=portal_customer,
        currency="EUR",
        start=date(2026, 3, 1),
        end=date(2026, 3, 31),
    )
    theirs = statement_generate(
        customer=other_portal_user.customer,
        currency="EUR",
        start=date(2026, 3, 1),
        end=date(2026, 3, 31),
    )
    response = portal.get(url("invoices_statements"))
    assert list(response.context["page"].object_list) == [mine, monthly]
    html = response.content.decode()
    assert "Monthly" in html
    assert "On request" in html
    assert url("invoices_statement", theirs.pk) not in html


# --- payments ----------------------------------------------------------------------


def test_the_payment_history_shows_payments_and_refunds(portal, account):
    c, d = account["c"], account["d"]
    refund = pay(c, "-5.00", datetime(2026, 5, 12, 9, tzinfo=UTC), reference="RF-1")
    pay(d, "77.00", datetime(2026, 5, 12, 9, tzinfo=UTC), reference="NOT-MINE")
    response = portal.get(url("invoices_payments"))
    assert response.status_code == 200
    rows = list(response.context["page"].object_list)
    assert [p.amount for p in rows] == [Decimal("-5.00"), Decimal("25.00")]
    html = response.content.decode()
    assert "NOT-MINE" not in html
    assert f'data-payment-id="{refund.pk}"' in html
    assert "data-refund" in html
    assert "Bank transfer" in html
    assert url("invoices_detail", c.pk) in html


# --- export ------------------------------------------------------------------------


def test_the_export_has_only_the_customers_own_rows(portal, account, portal_user):
    pay(account["d"], "77.00", datetime(2026, 5, 12, 9, tzinfo=UTC))
    response = portal.get(
        url("invoices_export"),
        {"kind": "all", "start": "2026-01-01", "end": "2026-06-30"},
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    body = b"".join(response.streaming_content).decode()
    rows = list(csv.DictReader(io.StringIO(body)))
    assert {row["customer_number"] for row in rows} == {CUSTOMER_NUMBER}
    numbers = {row["number"] for row in rows if row["type"] == "invoice"}
    assert numbers == {account[k].number for k in "abc"}
    assert any(row["type"] == "payment" for row in rows)
    event = AuditEvent.objects.get(action="invoices.exported")
    assert event.actor == portal_user
    assert event.data == {
        "kind": "all",
        "period": "2026-01-01/2026-06-30",
        "customer_id": portal_user.customer.pk,
    }


def test_a_customer_who_is_also_merchant_staff_still_exports_only_their_own(
    portal, account, portal_user, merchant
):
    from orders.models import Membership
    from tests.factories import MembershipFactory

    MembershipFactory(user=portal_user, merchant=merchant, role=Membership.Role.STAFF)
    response = portal.get(
        url("invoices_export"),
        {"kind": "invoices", "start": "2026-01-01", "end": "2026-06-30"},
    )
    body = b"".join(response.streaming_content).decode()
    assert account["d"].number not in body
    assert account["a"].number in body


def test_a_bad_export_answers_400_and_writes_nothing(portal, account):
    response = portal.get(
        url("invoices_export"),
        {"kind": "everything", "start": "2026-06-30", "end": "2026-01-01"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Select a valid choice" in html
    assert "The period starts after it ends." in html
    assert not AuditEvent.objects.filter(action="invoices.exported").exists()


# --- query counts ------------------------------------------------------------------


def _many(store, customer, start, stop, staff_user):
    for n in range(start, stop):
        invoice = invoice_of(store, customer, "10.00", date(2026, 3, 1 + n))
        pay(invoice, "4.00", datetime(2026, 3, 2 + n, 9, tzinfo=UTC))
        if n % 2:
            credit(invoice, "1.00", date(2026, 3, 2 + n), staff_user)
        statement_generate(
            customer=customer,
            currency="EUR",
            start=date(2026, 3, 1),
            end=date(2026, 3, 1 + n),
        )


def _counts(portal, pages, assert_max_queries) -> dict:
    counts = {}
    for address, most in pages.items():
        with assert_max_queries(most) as context:
            assert portal.get(address).status_code == 200, address
        counts[address] = len(context)
    return counts


def test_query_counts_do_not_grow_with_the_rows(
    portal, store, profile, portal_customer, staff_user, django_assert_max_num_queries
):
    """3 invoices, then 20 (with payments, credit notes and statements): the same
    number of queries on every page, and a small one (the lists' counts include
    the page view's audit row, portal.audit)."""
    with at(2026, 4, 15, 12):
        _many(store, portal_customer, 0, 3, staff_user)
        invoice = Invoice.objects.filter(customer=portal_customer).first()
        statement = Statement.objects.filter(customer=portal_customer).first()
        pages = {
            url("invoices"): 10,
            url("invoices") + "?status=overdue&start=2026-01-01": 10,
            url("invoices_payments"): 8,
            url("invoices_statements"): 9,
            url("invoices_detail", invoice.pk): 12,
            url("invoices_statement", statement.pk): 6,
        }
        portal.get(url("invoices"))  # the session's first touch
        few = _counts(portal, pages, django_assert_max_num_queries)
        _many(store, portal_customer, 3, 20, staff_user)
        many = _counts(portal, pages, django_assert_max_num_queries)
    assert Invoice.objects.filter(customer=portal_customer).count() == 20
    assert many == few
