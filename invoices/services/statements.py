"""Account statements: a customer's account in one currency over a period.

A statement lists, in the merchant's calendar, every invoice (debit, on its issue
date), credit note (credit), payment (credit) and refund (debit) of the period with
a running balance, between the opening balance (everything before the period) and
the closing balance. A voided invoice stays on its issue date and a "void" entry
credits it back on the day it was voided, so a statement printed before the void
stays true. Same-day entries: invoices, credit notes, payments (and refunds), voids,
each by id.

The monthly run (`statements_generate_monthly`, Celery beat) works in chunks of
customers with a fixed number of aggregate queries per chunk, whatever the chunk's
size. No PDF is rendered here: `invoices.pdf.stored_pdf("statement", statement)`
renders it on its first download and stores it once.
"""

import calendar
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import DateField, F, Func, QuerySet, Sum
from django.db.models.functions import Cast
from django.utils import timezone

from invoices.access import ensure_may_generate_statement
from invoices.models import CreditNote, Invoice, Payment, Statement
from orders.models import Customer
from performile.actors import Actor
from performile.audit import audit, audit_many
from performile.errors import ApplicationError

ZERO = Decimal("0.00")
# Same-day order of the kinds.
RANK = {"invoice": 0, "credit_note": 1, "payment": 2, "refund": 2, "void": 3}
# A month's activity, looked for in UTC: wide enough for any time zone.
ZONE_SLACK = timedelta(days=1)


@dataclass(frozen=True)
class _Entry:
    customer_id: int
    currency: str
    date: date
    kind: str
    id: int
    reference: str
    description: str
    debit: Decimal
    credit: Decimal

    @property
    def key(self):
        return (self.date, RANK[self.kind], self.id)


def _local_date(field: str):
    """`field` (a timestamp) as a date on the merchant's calendar, in SQL."""
    return Cast(
        Func(
            F("merchant__timezone"),
            F(field),
            function="timezone",
            output_field=DateField(),
        ),
        DateField(),
    )


def _money(value: Decimal) -> str:
    return f"{value:.2f}"


def statement_generate(
    *,
    customer: Customer,
    currency: str,
    start: date,
    end: date,
    actor: Actor = None,
    monthly: bool = False,
) -> Statement:
    """The customer's statement in `currency` from `start` to `end` (inclusive,
    merchant's calendar), generated now and kept as printed. An account with no
    activity gives an empty statement. For the merchant's staff, and the customer's
    own account."""
    ensure_may_generate_statement(actor, customer)
    currency = (currency or "").strip().upper()
    if len(currency) != 3 or not currency.isalpha():
        raise ApplicationError(
            "currency must be a 3-letter code.", fields={"currency": ["Invalid."]}
        )
    _check_period(start, end)
    openings, entries = _collect([customer.pk], start, end, currency=currency)
    opening = openings.get((customer.pk, currency), ZERO)
    statement = _build(customer.pk, customer.merchant_id, currency, start, end)
    _fill(statement, opening, entries.get((customer.pk, currency), []))
    statement.monthly = monthly
    statement.generated_by = (
        actor if getattr(actor, "is_authenticated", False) else None
    )
    with transaction.atomic():
        statement.save()
        audit(
            "statement.generated",
            actor=actor,
            target=statement,
            merchant_id=customer.merchant_id,
            customer=customer.customer_number,
            currency=currency,
            period=f"{start.isoformat()}/{end.isoformat()}",
        )
    return statement


def statements_generate_monthly(*, month: date | None = None) -> int:
    """Monthly statements for the month starting at `month` (default: the previous
    calendar month, today in UTC), one per customer and currency with activity in
    it. Runs in this process, chunk after chunk; returns how many it made. The
    Celery task `invoices_monthly_statements` spreads the same chunks over the
    workers instead."""
    start, end = monthly_period(month)
    created = 0
    for chunk in chunked(monthly_candidates(start, end)):
        created += statements_generate_for_customers(chunk, start, end)
    return created


def monthly_period(month: date | None = None) -> tuple[date, date]:
    if month is None:
        today = timezone.now().date()
        month = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    start = month.replace(day=1)
    end = start.replace(day=calendar.monthrange(start.year, start.month)[1])
    return start, end


def monthly_candidates(start: date, end: date) -> list[int]:
    """Ids of the customers who may have activity from `start` to `end`. Payments
    and voids are looked for in a UTC window a day wider on each side; the chunk
    decides on the merchant's calendar (a customer with nothing gets nothing)."""
    since = datetime.combine(start - ZONE_SLACK, datetime.min.time(), UTC)
    until = datetime.combine(end + ZONE_SLACK * 2, datetime.min.time(), UTC)
    sources: list[QuerySet] = [
        Invoice.objects.filter(issue_date__range=(start, end)),
        Invoice.objects.filter(voided_at__gte=since, voided_at__lt=until),
        CreditNote.objects.filter(issue_date__range=(start, end)),
        Payment.objects.filter(received_at__gte=since, received_at__lt=until),
    ]
    ids: set[int] = set()
    for source in sources:
        ids.update(
            source.exclude(customer=None)
            .values_list("customer_id", flat=True)
            .distinct()
        )
    return sorted(ids)


def chunked(ids: list[int], size: int = 500):
    for index in range(0, len(ids), size):
        yield ids[index : index + size]


def statements_generate_for_customers(
    customer_ids, start: date | str, end: date | str
) -> int:
    """Monthly statements for these customers (one per customer and currency with
    activity from `start` to `end`), skipping those that exist. A constant number
    of queries, whatever the number of customers. Returns how many it made."""
    start, end = _as_date(start), _as_date(end)
    _check_period(start, end)
    customers = dict(
        Customer.objects.filter(pk__in=list(customer_ids)).values_list(
            "pk", "merchant_id"
        )
    )
    if not customers:
        return 0
    openings, entries = _collect(list(customers), start, end)
    existing = set(
        Statement.objects.filter(
            customer_id__in=list(customers),
            period_start=start,
            period_end=end,
            monthly=True,
        ).values_list("customer_id", "currency")
    )
    statements = []
    for (customer_id, currency), rows in sorted(entries.items()):
        if (customer_id, currency) in existing:
            continue
        statement = _build(
            customer_id, customers[customer_id], currency, start, end, monthly=True
        )
        _fill(statement, openings.get((customer_id, currency), ZERO), rows)
        statements.append(statement)
    if not statements:
        return 0
    with transaction.atomic():
        created = Statement.objects.bulk_create(statements, batch_size=500)
        audit_many(
            "statement.generated",
            actor=None,
            targets=created,
            actor_label="monthly run",
            data={"period": f"{start.isoformat()}/{end.isoformat()}"},
        )
    return len(created)


def _as_date(value) -> date:
    return date.fromisoformat(value) if isinstance(value, str) else value


def _check_period(start: date, end: date) -> None:
    if not isinstance(start, date) or not isinstance(end, date):
        raise ApplicationError("start and end must be dates.")
    if start > end:
        raise ApplicationError(
            "The period starts after it ends.", fields={"start": ["After end."]}
        )


def _build(customer_id, merchant_id, currency, start, end, monthly=False):
    return Statement(
        customer_id=customer_id,
        merchant_id=merchant_id,
        currency=currency,
        period_start=start,
        period_end=end,
        monthly=monthly,
        generated_at=timezone.now(),
    )


def _fill(statement: Statement, opening: Decimal, rows: list[_Entry]) -> None:
    balance = opening
    printed = []
    for row in sorted(rows, key=lambda row: row.key):
        balance += row.debit - row.credit
        printed.append(
            {
                "date": row.date.isoformat(),
                "kind": row.kind,
                "reference": row.reference,
                "description": row.description,
                "debit": _money(row.debit) if row.debit else "",
                "credit": _money(row.credit) if row.credit else "",
                "balance": _money(balance),
            }
        )
    statement.opening_balance = opening
    statement.closing_balance = balance
    statement.entries = printed


def _collect(customer_ids: list[int], start: date, end: date, currency=None):
    """Opening balances {(customer, currency): Decimal} (everything before `start`)
    and the entries {(customer, currency): [_Entry]} from `start` to `end`: four
    aggregate queries and four row queries for any number of customers."""
    invoices = Invoice.objects.filter(customer_id__in=customer_ids)
    notes = CreditNote.objects.filter(customer_id__in=customer_ids)
    payments = Payment.objects.filter(customer_id__in=customer_ids)
    voids = invoices.filter(state=Invoice.State.VOID).annotate(
        day=_local_date("voided_at")
    )
    payments = payments.annotate(day=_local_date("received_at"))
    if currency:
        invoices, notes, payments, voids = (
            qs.filter(currency=currency) for qs in (invoices, notes, payments, voids)
        )
    openings: dict = defaultdict(lambda: ZERO)
    for queryset, field, amount, sign in (
        (invoices, "issue_date", "total", 1),
        (voids, "day", "total", -1),
        (notes, "issue_date", "total", -1),
        (payments, "day", "amount", -1),
    ):
        rows = (
            queryset.filter(**{f"{field}__lt": start})
            .values("customer_id", "currency")
            .annotate(s=Sum(amount))
            .values_list("customer_id", "currency", "s")
        )
        for customer_id, code, total in rows:
            openings[(customer_id, code)] += sign * total
    entries: dict = defaultdict(list)
    for entry in _period_entries(invoices, voids, notes, payments, start, end):
        entries[(entry.customer_id, entry.currency)].append(entry)
    return dict(openings), dict(entries)


def _period_entries(invoices, voids, notes, payments, start, end):
    for row in invoices.filter(issue_date__range=(start, end)).values(
        "pk", "customer_id", "currency", "issue_date", "number", "total",
        "order_reference",
    ):  # fmt: skip
        order = row["order_reference"]
        yield _Entry(
            row["customer_id"], row["currency"], row["issue_date"], "invoice",
            row["pk"], row["number"],
            f"Invoice {row['number']}" + (f" (order {order})" if order else ""),
            row["total"], ZERO,
        )  # fmt: skip
    for row in voids.filter(day__range=(start, end)).values(
        "pk", "customer_id", "currency", "day", "number", "total"
    ):
        yield _Entry(
            row["customer_id"], row["currency"], row["day"], "void", row["pk"],
            row["number"], f"Invoice {row['number']} voided", ZERO, row["total"],
        )  # fmt: skip
    for row in notes.filter(issue_date__range=(start, end)).values(
        "pk", "customer_id", "currency", "issue_date", "number", "total",
        "invoice__number",
    ):  # fmt: skip
        yield _Entry(
            row["customer_id"], row["currency"], row["issue_date"], "credit_note",
            row["pk"], row["number"],
            f"Credit note {row['number']} for {row['invoice__number']}",
            ZERO, row["total"],
        )  # fmt: skip
    for row in payments.filter(day__range=(start, end)).values(
        "pk", "customer_id", "currency", "day", "amount", "method", "reference",
        "provider_id", "invoice__number",
    ):  # fmt: skip
        yield _payment_entry(row)


def _payment_entry(row: dict) -> _Entry:
    refund = row["amount"] < 0
    method = Payment.Method(row["method"]).label if row["method"] else ""
    description = f"{'Refund' if refund else 'Payment'} ({method})"
    if row["invoice__number"]:
        description += f" {'of' if refund else 'for'} {row['invoice__number']}"
    amount = abs(row["amount"])
    return _Entry(
        row["customer_id"],
        row["currency"],
        row["day"],
        "refund" if refund else "payment",
        row["pk"],
        row["reference"] or row["provider_id"],
        description,
        amount if refund else ZERO,
        ZERO if refund else amount,
    )
