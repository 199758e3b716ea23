"""The Orders table: what a row shows beyond the order itself (its payment state,
its item count, how long its customer has waited), the sorts, the reasons an order
needs action, and the count above the table (docs/orders-view.md).

Invoices and messaging sit above orders in the import order (docs/architecture.md),
so this module never imports them. It reads their tables through the models looked
up by name (`django.apps.apps.get_model`) inside correlated subqueries: the page is
still one SQL statement, the rows carry the answers, and what is read is the owners'
documented fields (invoices: `Invoice.state`, `total`, `due_date`, `issue_date`,
`Payment.amount`, `CreditNote.total`; messaging: `Thread.status`,
`awaiting_reply_since`). A registry the upper apps fill in would hide the same
dependency behind start-up order; a name lookup fails loudly in the tests instead.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.apps import apps
from django.db.models import (
    Case,
    CharField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from orders import state_machine, tracking
from orders.models import Order, OrderLine
from orders.state_machine import OrderStatus

UNPAID_DAYS = 14
WAITING_HOURS = 3
COUNT_CAP = 10_000  # counted exactly up to here; beyond it "10,000+"


# --- Payment state (from the order's issued invoice) ---------------------------------


class Payment:
    PAID = "paid"
    PARTLY = "partly_paid"
    UNPAID = "unpaid"
    OVERDUE = "overdue"
    NONE = "none"  # no issued invoice: shown as "—"

    LABELS = {PAID: "Paid", PARTLY: "Partly paid", UNPAID: "Unpaid", OVERDUE: "Overdue"}
    TONES = {PAID: "green", PARTLY: "cyan", UNPAID: "orange", OVERDUE: "red"}
    CHOICES = [
        *LABELS.items(),
        ("outstanding", "Not fully paid"),
        (NONE, "No invoice"),
    ]


def _issued_invoices() -> QuerySet:
    """The order's issued invoice (at most one: invoices' `invoice_one_per_order`),
    with `settled`: what payments and credit notes cover of it (the sums the
    database keeps on the invoice)."""
    invoice = apps.get_model("invoices", "Invoice")
    return (
        invoice.objects.filter(order=OuterRef("pk"), state="issued")
        .order_by()
        .annotate(settled=F("paid_amount") + F("credited_amount"))
    )


def _payment_code(today: date) -> Case:
    return Case(
        When(settled__gte=F("total"), then=Value(Payment.PAID)),
        When(due_date__lt=today, then=Value(Payment.OVERDUE)),
        When(settled__gt=0, then=Value(Payment.PARTLY)),
        default=Value(Payment.UNPAID),
        output_field=CharField(),
    )


def _owed() -> Q:
    """invoices.models.OWED: an issued invoice not covered yet."""
    return apps.get_model("invoices", "Invoice").OWED


def payment_filter(orders: QuerySet[Order], code: str, today: date) -> QuerySet:
    invoices = _issued_invoices()
    if code == Payment.NONE:
        return orders.exclude(Exists(invoices))
    unsettled = invoices.filter(_owed())
    if code == "outstanding":
        return orders.filter(Exists(unsettled))
    coded = invoices.annotate(code=_payment_code(today)).filter(code=code)
    return orders.filter(Exists(coded))


# --- Reasons an order needs action ---------------------------------------------------


@dataclass(frozen=True)
class Reason:
    code: str
    label: str
    detail: str = ""


REASONS = {
    "no_tracking": "No tracking",
    "exception": "Courier exception",
    "unpaid": f"Unpaid {UNPAID_DAYS} days",
    "waiting": f"Customer waiting {WAITING_HOURS} h",
    "duplicate": "Duplicate number",
}


def reason_rule(code: str, now: datetime) -> Q:
    """The rule of the reason `code`, as a filter on orders (the Orders view's
    reason filter and the dashboard's counts)."""
    if code == "no_tracking":
        return Q(
            tracking_number="",
            service="",
            status__in=state_machine.BOOKABLE - {OrderStatus.DRAFT},
        )
    if code == "exception":
        return Q(tracking_status__in=tracking.TROUBLE)
    if code == "duplicate":
        return ~Q(review_reason="")
    if code == "unpaid":
        return Q(Exists(unpaid_invoices(now).filter(order=OuterRef("pk"))))
    if code == "waiting":
        return Q(Exists(waiting_threads(now).filter(order=OuterRef("pk"))))
    raise ValueError(code)


def unpaid_invoices(now: datetime) -> QuerySet:
    """Issued invoices not settled UNPAID_DAYS after issue: the unpaid reason's (an
    order has one issued invoice at most)."""
    invoice = apps.get_model("invoices", "Invoice")
    since = timezone.localdate(now) - timedelta(days=UNPAID_DAYS)
    return invoice.objects.filter(invoice.OWED, issue_date__lte=since).order_by()


def waiting_threads(now: datetime) -> QuerySet:
    """Open conversations whose customer has waited WAITING_HOURS for an answer:
    the waiting reason's (an order has one conversation at most)."""
    thread = apps.get_model("messaging", "Thread")
    return thread.objects.filter(
        status="open",
        awaiting_reply_since__lte=now - timedelta(hours=WAITING_HOURS),
    ).order_by()


def reason_filter(orders: QuerySet[Order], code: str, now: datetime) -> QuerySet:
    """Orders for which `action_reasons` names `code`."""
    return orders.filter(reason_rule(code, now))


def _open_threads() -> QuerySet:
    thread = apps.get_model("messaging", "Thread")
    return thread.objects.filter(order=OuterRef("pk"), status="open").order_by()


def action_reasons(order: Order, now: datetime | None = None) -> list[Reason]:
    """Why the order needs action, most urgent first. The payment and waiting
    reasons need the row's annotations (`reason_dates`); without them they are
    left out."""
    now = now or timezone.now()
    found = []
    if order.tracking_status in tracking.TROUBLE:
        status = tracking.TrackingStatus(order.tracking_status).label
        found.append(Reason("exception", REASONS["exception"], status))
    if order.can_book_shipment and order.status != OrderStatus.DRAFT:
        found.append(Reason("no_tracking", REASONS["no_tracking"]))
    waiting = getattr(order, "awaiting_since", None)
    if waiting and now - waiting >= timedelta(hours=WAITING_HOURS):
        found.append(Reason("waiting", f"Customer waiting {_waited(now - waiting)}"))
    unpaid_since = getattr(order, "unpaid_since", None)
    if unpaid_since:
        days = (timezone.localdate(now) - unpaid_since).days
        if days >= UNPAID_DAYS:
            found.append(Reason("unpaid", f"Unpaid {days} days"))
    if order.review_reason:
        found.append(
            Reason("duplicate", REASONS["duplicate"], order.review_reason)
            if "number" in order.review_reason.lower()
            else Reason("duplicate", "Check order", order.review_reason)
        )
    return found


def _waited(span: timedelta) -> str:
    hours = int(span.total_seconds() // 3600)
    return f"{hours} h" if hours < 48 else f"{hours // 24} days"


# --- The row's columns -----------------------------------------------------------------


def with_columns(orders: QuerySet[Order], now: datetime | None = None) -> QuerySet:
    """The list's rows with `item_count`, `payment_state` (a Payment code, None
    without an issued invoice), `unpaid_since` (the unsettled invoice's issue date)
    and `awaiting_since` (the open conversation's oldest unanswered message):
    subqueries of the one statement, evaluated for the rows of the page only."""
    now = now or timezone.now()
    invoices = _issued_invoices()
    items = (
        OrderLine.objects.filter(order=OuterRef("pk"), kind=OrderLine.Kind.ITEM)
        .order_by()
        .values("order")
        .annotate(n=Sum("quantity"))
        .values("n")
    )
    return orders.annotate(
        item_count=Coalesce(Subquery(items, output_field=IntegerField()), 0),
        payment_state=Subquery(
            invoices.annotate(code=_payment_code(timezone.localdate(now))).values(
                "code"
            )[:1],
            output_field=CharField(),
        ),
    ).annotate(**reason_dates())


def reason_dates() -> dict:
    """`unpaid_since` (the unsettled invoice's issue date) and `awaiting_since`
    (the open conversation's oldest unanswered message): what `action_reasons`
    reads for the unpaid and waiting reasons, as annotations of an order query
    (the list's rows, a live update's cells)."""
    return {
        "unpaid_since": Subquery(
            _issued_invoices().filter(_owed()).values("issue_date")[:1]
        ),
        "awaiting_since": Subquery(_open_threads().values("awaiting_reply_since")[:1]),
    }


# --- Sorting -----------------------------------------------------------------------

_STATUS_RANK = Case(
    *(When(status=status, then=Value(n)) for n, status in enumerate(OrderStatus)),
    output_field=IntegerField(),
)

SORT_KEYS = {
    "number": (F("order_number"),),
    "date": (F("placed_at"),),
    "customer": (F("customer__name"),),
    "total": (F("amount"),),
    "status": (_STATUS_RANK,),
}
NULLABLE_SORTS = {"customer"}
SORT_LABELS = {
    "number": "Order #",
    "date": "Date",
    "customer": "Customer",
    "total": "Total",
    "status": "Status",
}
# The sort select's words (a phone has no headers to click). None says "status":
# a label holding a select is read with its options' text.
SORT_CHOICES = [
    ("number", "Order #, A to Z"),
    ("-number", "Order #, Z to A"),
    ("date", "Oldest first"),
    ("-date", "Latest placed first"),
    ("customer", "Customer, A to Z"),
    ("-customer", "Customer, Z to A"),
    ("total", "Total, lowest first"),
    ("-total", "Total, highest first"),
    ("status", "Progress, earliest first"),
    ("-status", "Progress, furthest first"),
]
DEFAULT_SORT = ""  # newest first (by id), paged by keyset


def sort_orders(orders: QuerySet[Order], sort: str) -> QuerySet:
    """Order by a sort choice (`total`, `-date`, ...); ties by id, newest first."""
    descending = sort.startswith("-")
    key = sort.removeprefix("-")
    # Orders without a customer last either way; the other keys are never null,
    # and a plain direction lets an index give the order (order_placed_idx,
    # order_total_idx, order_number_sort_idx).
    nulls = {"nulls_last": True} if key in NULLABLE_SORTS else {}
    ordering = [
        column.desc(**nulls) if descending else column.asc(**nulls)
        for column in SORT_KEYS[key]
    ]
    return orders.order_by(*ordering, "-id")


def next_sort(current: str, key: str) -> str:
    """The sort a column header links to: ascending first, then descending; the
    date column starts descending (it is the default's order)."""
    if current == key:
        return f"-{key}"
    if current == f"-{key}":
        return key
    return f"-{key}" if key == "date" else key


# --- The count -------------------------------------------------------------------------


@dataclass(frozen=True)
class Count:
    value: int
    capped: bool  # more than COUNT_CAP: shown as "10,000+"


def capped_count(orders: QuerySet[Order], cap: int = COUNT_CAP) -> Count:
    """How many orders the filters match, counted up to `cap` (a LIMITed subquery:
    counting 100,000 orders on every page view would cost more than the page)."""
    found = orders.order_by().values("pk")[: cap + 1].count()
    return Count(min(found, cap), found > cap)
