import io
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
import time_machine
from pypdf import PdfReader

from invoices import pdf
from invoices.models import Statement
from invoices.services import (
    credit_note_issue,
    invoice_issue_for_order,
    invoice_void,
    payment_record,
    statement_generate,
    statements_generate_for_customers,
    statements_generate_monthly,
)
from invoices.tasks import invoices_monthly_statements
from performile.errors import ApplicationError
from performile.models import AuditEvent
from tests.factories import CustomerFactory
from tests.invoices.conftest import make_order

pytestmark = pytest.mark.django_db

MARCH = (date(2026, 3, 1), date(2026, 3, 31))


def at(*args):
    return time_machine.travel(datetime(*args, tzinfo=UTC), tick=False)


def invoice_of(store, customer, amount, day, currency="EUR"):
    order = make_order(store, customer, lines=((1, amount),), currency=currency)
    return invoice_issue_for_order(order=order, issue_date=day)


def pay(invoice, amount, when):
    return payment_record(
        merchant=invoice.merchant,
        invoice=invoice,
        amount=Decimal(amount),
        currency=invoice.currency,
        method="bank_transfer",
        reference=f"BANK-{amount}",
        received_at=when,
    )


@pytest.fixture
def march_account(store, buyer, profile, staff_user):
    """The account behind the hand-computed statement below (merchant in
    Europe/Stockholm: CET until 29 March 2026, CEST after)."""
    a = invoice_of(store, buyer, "100.00", date(2026, 2, 10))
    # 23:30 UTC on 28 February is already 1 March in Stockholm.
    pay(a, "30.00", datetime(2026, 2, 28, 23, 30, tzinfo=UTC))
    b = invoice_of(store, buyer, "250.00", date(2026, 3, 3))
    pay(b, "100.00", datetime(2026, 3, 5, 10, 0, tzinfo=UTC))
    with at(2026, 3, 10, 12):
        credit_note_issue(
            invoice=b, actor=staff_user, reason="Damaged", amount=Decimal("50.00")
        )
    pay(b, "-20.00", datetime(2026, 3, 12, 9, 0, tzinfo=UTC))
    c = invoice_of(store, buyer, "80.00", date(2026, 3, 14))
    with at(2026, 3, 20, 8):
        invoice_void(invoice=c, actor=staff_user, reason="Wrong customer")
    # 22:30 UTC on 31 March is 00:30 on 1 April in Stockholm (CEST).
    pay(a, "10.00", datetime(2026, 3, 31, 22, 30, tzinfo=UTC))
    return {"a": a, "b": b, "c": c}


def test_the_statement_matches_the_hand_computed_example(
    march_account, buyer, staff_user
):
    a, b, c = march_account["a"], march_account["b"], march_account["c"]
    cn = b.credit_notes.get()

    statement = statement_generate(
        customer=buyer, currency="EUR", start=MARCH[0], end=MARCH[1], actor=staff_user
    )

    assert statement.opening_balance == Decimal("100.00")
    assert [
        (e["date"], e["kind"], e["reference"], e["debit"], e["credit"], e["balance"])
        for e in statement.entries
    ] == [
        ("2026-03-01", "payment", "BANK-30.00", "", "30.00", "70.00"),
        ("2026-03-03", "invoice", b.number, "250.00", "", "320.00"),
        ("2026-03-05", "payment", "BANK-100.00", "", "100.00", "220.00"),
        ("2026-03-10", "credit_note", cn.number, "", "50.00", "170.00"),
        ("2026-03-12", "refund", "BANK--20.00", "20.00", "", "190.00"),
        ("2026-03-14", "invoice", c.number, "80.00", "", "270.00"),
        ("2026-03-20", "void", c.number, "", "80.00", "190.00"),
    ]
    assert statement.closing_balance == Decimal("190.00")
    assert (
        statement.entries[0]["description"] == f"Payment (Bank transfer) for {a.number}"
    )
    assert statement.entries[3]["description"] == (
        f"Credit note {cn.number} for {b.number}"
    )
    assert statement.entries[6]["description"] == f"Invoice {c.number} voided"
    assert statement.merchant_id == buyer.merchant_id
    assert statement.generated_by == staff_user
    assert not statement.monthly
    assert AuditEvent.objects.filter(
        action="statement.generated", object_id=str(statement.pk)
    ).exists()


def test_a_voided_invoice_stays_on_a_statement_printed_before_the_void(
    march_account, buyer
):
    """Up to 19 March, invoice C is owed; the void shows only from 20 March."""
    statement = statement_generate(
        customer=buyer, currency="EUR", start=date(2026, 3, 14), end=date(2026, 3, 19)
    )
    assert statement.opening_balance == Decimal("190.00")
    assert [e["kind"] for e in statement.entries] == ["invoice"]
    assert statement.closing_balance == Decimal("270.00")

    april = statement_generate(
        customer=buyer, currency="EUR", start=date(2026, 4, 1), end=date(2026, 4, 30)
    )
    assert april.opening_balance == Decimal("190.00")
    assert [(e["date"], e["credit"], e["balance"]) for e in april.entries] == [
        ("2026-04-01", "10.00", "180.00")
    ]


def test_same_day_entries_go_invoices_then_credit_notes_then_payments(
    store, buyer, profile, staff_user
):
    earlier = invoice_of(store, buyer, "60.00", date(2026, 4, 1))
    order = make_order(store, buyer, lines=((1, "40.00"),))
    # Recorded first, before the invoice exists: it waits on the order.
    payment = payment_record(
        merchant=order.merchant,
        order=order,
        amount=Decimal("40.00"),
        currency="EUR",
        method="card",
        received_at=datetime(2026, 4, 2, 8, tzinfo=UTC),
    )
    with at(2026, 4, 2, 9):
        credit_note_issue(
            invoice=earlier, actor=staff_user, reason="Goodwill", amount=Decimal("5")
        )
    invoice = invoice_issue_for_order(order=order, issue_date=date(2026, 4, 2))

    statement = statement_generate(
        customer=buyer, currency="EUR", start=date(2026, 4, 2), end=date(2026, 4, 2)
    )

    assert [(e["kind"], e["balance"]) for e in statement.entries] == [
        ("invoice", "100.00"),
        ("credit_note", "95.00"),
        ("payment", "55.00"),
    ]
    assert statement.entries[0]["reference"] == invoice.number
    assert payment.invoice_id is None  # allocated later, still on the customer


def test_an_account_without_activity_gives_an_empty_statement(buyer):
    statement = statement_generate(
        customer=buyer, currency="sek", start=MARCH[0], end=MARCH[1]
    )
    assert statement.currency == "SEK"
    assert statement.entries == []
    assert statement.opening_balance == statement.closing_balance == Decimal("0.00")


def test_a_period_that_ends_before_it_starts_is_refused(buyer):
    with pytest.raises(ApplicationError):
        statement_generate(customer=buyer, currency="EUR", start=MARCH[1], end=MARCH[0])
    with pytest.raises(ApplicationError):
        statement_generate(customer=buyer, currency="", start=MARCH[0], end=MARCH[1])
    assert not Statement.objects.exists()


def test_the_monthly_run_covers_each_currency_with_activity_once(
    march_account, store, buyer, profile
):
    sek_buyer = CustomerFactory(merchant=buyer.merchant)
    invoice_of(store, sek_buyer, "500.00", date(2026, 3, 15), currency="SEK")
    invoice_of(store, buyer, "70.00", date(2026, 3, 20), currency="SEK")
    quiet = CustomerFactory(merchant=buyer.merchant)
    invoice_of(store, quiet, "10.00", date(2026, 2, 1))

    assert statements_generate_monthly(month=date(2026, 3, 1)) == 3

    statements = Statement.objects.filter(monthly=True)
    assert sorted(
        (s.customer_id, s.currency, str(s.closing_balance)) for s in statements
    ) == sorted(
        [
            (buyer.pk, "EUR", "190.00"),
            (buyer.pk, "SEK", "70.00"),
            (sek_buyer.pk, "SEK", "500.00"),
        ]
    )
    assert {(s.period_start, s.period_end) for s in statements} == {MARCH}
    assert not statements.filter(customer=quiet).exists()
    assert statements_generate_monthly(month=date(2026, 3, 1)) == 0
    assert Statement.objects.count() == 3
    assert not any(s.pdf for s in statements)  # rendered on first download


def test_the_monthly_run_does_the_previous_month_by_default(march_account, buyer):
    with at(2026, 4, 1, 3):
        assert statements_generate_monthly() == 1
    statement = Statement.objects.get()
    assert (statement.period_start, statement.period_end) == MARCH
    assert statement.closing_balance == Decimal("190.00")


def test_a_chunk_costs_the_same_queries_for_more_customers(
    store, profile, django_assert_max_num_queries
):
    def customers(count):
        ids = []
        for _ in range(count):
            customer = CustomerFactory(merchant=store.merchant)
            invoice_of(store, customer, "10.00", date(2026, 2, 5))
            invoice = invoice_of(store, customer, "25.00", date(2026, 3, 5))
            pay(invoice, "25.00", datetime(2026, 3, 6, 12, tzinfo=UTC))
            ids.append(customer.pk)
        return ids

    few, many = customers(2), customers(8)
    with django_assert_max_num_queries(14) as few_queries:
        assert statements_generate_for_customers(few, *MARCH) == 2
    with django_assert_max_num_queries(len(few_queries.captured_queries)):
        assert statements_generate_for_customers(many, "2026-03-01", "2026-03-31") == 8
    assert {
        s.opening_balance for s in Statement.objects.filter(customer_id__in=many)
    } == {Decimal("10.00")}


def test_the_statement_pdf_shows_the_customer_and_closing_balance(
    march_account, buyer, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    statement = statement_generate(
        customer=buyer, currency="EUR", start=MARCH[0], end=MARCH[1]
    )

    content = pdf.stored_pdf("statement", statement)

    text = PdfReader(io.BytesIO(content)).pages[0].extract_text()
    assert buyer.customer_number in text
    assert "190.00" in text
    assert "Amount due" in text
    assert "Nordic Goods AB" in text
    statement.refresh_from_db()
    assert statement.pdf.name.startswith("statements/")


def test_the_beat_task_runs_one_chunk_task_per_500_customers(
    march_account, eager_celery, settings
):
    entry = settings.CELERY_BEAT_SCHEDULE["invoices-monthly-statements"]
    assert entry["task"] == "invoices.tasks.invoices_monthly_statements"

    assert invoices_monthly_statements("2026-03-01") == 1

    assert Statement.objects.filter(monthly=True).count() == 1
    assert invoices_monthly_statements("2026-03-01") == 1
    assert Statement.objects.count() == 1
