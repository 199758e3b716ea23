"""The home dashboard's numbers and charts: today and the last 30 days.

Every number is an SQL aggregate over the access selectors (`visible_orders`,
`visible_shipments`, `visible_threads`, `visible_invoices`), a fixed number of
queries whatever the volume. The closed days' aggregates are kept and refreshed
in the background (`workspace.dashboard.history`); today's and the "now" figures
are read on every view. Days are the current time zone's (the view runs under
`orders.views.common.merchant_timezone`: the merchant's zone); parcel punctuality is on
UTC dates, as on the Couriers page (`shipments.performance`), so the on-time rate
here is the one that page shows for the same dates.
"""

import datetime as dt
from decimal import Decimal
from functools import reduce
from operator import or_

from django.db.models import Count, F, Func, IntegerField, Q, Sum, Value
from django.db.models.functions import TruncDate
from django.utils import timezone

from invoices.models import OWED
from invoices.selectors import PaymentStatus, visible_invoices
from messaging.context_processors import NAV_COUNT_CAP, inbox_unread_count
from messaging.filters import day_start
from messaging.metrics import Median, Seconds
from messaging.selectors import visible_threads
from orders import state_machine, table, tracking
from orders.selectors import visible_order_rows, visible_orders
from orders.state_machine import OrderStatus
from shipments.selectors import visible_shipments
from workspace.dashboard import deliveries, history
from workspace.dashboard.board import (
    DAYS,
    WEEKS,
    Dashboard,
    Number,
    Window,
    day_label,
    list_url,
)

# Orders that are no sale (yet): left out of revenue.
NOT_REVENUE = (OrderStatus.CANCELLED, OrderStatus.DRAFT)
REVENUE_STATUSES = [s for s in OrderStatus.values if s not in NOT_REVENUE]


def dashboard(user, *, messaging: bool, billing: bool) -> Dashboard:
    """The dashboard as `user` may see it. `messaging`: the user is merchant staff
    or admin (the inbox and its metrics); `billing`: they see invoices."""
    today = timezone.localdate()
    since = today - dt.timedelta(days=DAYS - 1)
    end = day_start(today + dt.timedelta(days=1))
    board = Dashboard(
        today=today,
        since=since,
        zone=str(timezone.get_current_timezone()),
        day=Window(),
        month=Window(),
        action=[],
        action_total=Number(0, ""),
        exceptions=Number(0, ""),
        stuck=Number(0, ""),
        unread=None,
        overdue=None,
    )
    today_start = day_start(today)
    first_week = _first_week(today)
    days = _days(since)
    past, board.history_at, board.history_stale = history.kept(
        user,
        history_parts(board.zone, today, messaging),
        lambda: closed_days(user, today, messaging=messaging),
    )
    today_orders = _order_rows(user, days[-1:], today_start, end)
    _orders(board, past["orders"] + today_orders)
    _action(board, user)
    _parcels(board, user)
    deliveries.punctuality(
        board,
        first_week,
        past["delivered"] + deliveries.delivery_rows(user, today, today),
    )
    if messaging:
        _conversations(board, user, past["responses"], past["month_response"])
    if billing:
        _overdue(board, user)
    return board


def history_parts(zone: str, today: dt.date, messaging: bool) -> tuple:
    """What the kept closed days depend on besides the user's reach."""
    return (zone, today, messaging)


def closed_days(user, today: dt.date, *, messaging: bool) -> dict:
    """The aggregates of the days before `today` (in the current zone) that the
    page shows, as plain rows: what `workspace.dashboard.history` keeps."""
    since = today - dt.timedelta(days=DAYS - 1)
    start, today_start = day_start(since), day_start(today)
    end = day_start(today + dt.timedelta(days=1))
    yesterday = today - dt.timedelta(days=1)
    return {
        "orders": _order_rows(user, _days(since)[:-1], start, today_start),
        "delivered": deliveries.delivery_rows(
            user, min(_first_week(today), since), yesterday
        ),
        "responses": _response_rows(user, start, today_start) if messaging else [],
        # Of the 30 days with today: a median is not a sum of the days'.
        "month_response": _median(user, start, end) if messaging else None,
    }


def _days(since: dt.date) -> list[dt.date]:
    return [since + dt.timedelta(days=n) for n in range(DAYS)]


def _first_week(today: dt.date) -> dt.date:
    """The Monday of the on-time chart's first week."""
    return today - dt.timedelta(days=today.weekday() + 7 * (WEEKS - 1))


# --- Orders and revenue -----------------------------------------------------------


def _order_rows(user, days: list[dt.date], start, end) -> list[dict]:
    """Orders and revenue per day and currency placed in [start, end), one grouped
    query. A day is the bucket of `placed_at` between the days' starts in the
    current zone (`width_bucket`, a third of the cost of converting every order's
    time)."""
    rows = (
        visible_orders(user)
        .filter(placed_at__gte=start, placed_at__lt=end)
        .annotate(bucket=_day_bucket("placed_at", days))
        .values("bucket", "currency")
        .annotate(
            n=Count("*"),  # not the id: order_placed_idx alone answers
            revenue=Sum("amount", filter=~Q(status__in=NOT_REVENUE)),
        )
        .order_by()
    )
    return [{**row, "day": days[row["bucket"] - 1]} for row in rows]


def _orders(board: Dashboard, rows: list[dict]) -> None:
    per_day = {board.since + dt.timedelta(days=n): 0 for n in range(DAYS)}
    revenue: dict[str, list[Decimal]] = {}
    for row in rows:
        per_day[row["day"]] = per_day.get(row["day"], 0) + row["n"]
        amounts = revenue.setdefault(row["currency"], [Decimal(0), Decimal(0)])
        amounts[1] += row["revenue"] or 0
        if row["day"] == board.today:
            amounts[0] += row["revenue"] or 0
    for window, since in ((board.day, board.today), (board.month, board.since)):
        dates = {
            "state": "",
            "created_after": since.isoformat(),
            "created_before": board.today.isoformat(),
        }
        count = sum(n for day, n in per_day.items() if day >= since)
        window.orders = Number(count, list_url("orders:list", **dates))
        sold = list_url("orders:list", **dates, status=REVENUE_STATUSES)
        index = 0 if window is board.day else 1
        window.revenue = [
            (currency, Number(amounts[index], sold))
            for currency, amounts in sorted(revenue.items())
        ]
    board.charts["orders_per_day"] = {
        "labels": [day_label(day) for day in sorted(per_day)],
        "values": [per_day[day] for day in sorted(per_day)],
    }


def _day_bucket(field: str, days: list[dt.date]) -> Func:
    """1 for the first of `days` (in the current zone), 2 for the next, ..."""
    return Func(
        F(field),
        Value([day_start(day) for day in days]),
        function="width_bucket",
        output_field=IntegerField(),
    )


# --- What needs doing -------------------------------------------------------------


def _action(board: Dashboard, user) -> None:
    """Orders needing action, and the orders of each reason the Orders view names
    (`orders.table`; an order can have more than one), each linking to that
    reason's filter. The order-side reasons are counted over the orders that can
    have one (open, in trouble or flagged: indexed), the unpaid and waiting ones
    from the invoices and conversations (one of each an order at most)."""
    now = timezone.now()
    # `OrderQuerySet.needing_action`: not booked, the parcel in trouble, flagged.
    on_orders = ("no_tracking", "exception", "duplicate")
    rules = {code: table.reason_rule(code, now) for code in on_orders}
    candidates = (
        Q(status__in=state_machine.BOOKABLE - {OrderStatus.DRAFT})
        | rules["exception"]
        | rules["duplicate"]
    )
    counts = (
        visible_orders(user)
        .filter(candidates)
        .aggregate(
            total=Count("pk", filter=reduce(or_, rules.values())),
            **{code: Count("pk", filter=rule) for code, rule in rules.items()},
        )
    )
    counts["unpaid"] = visible_order_rows(table.unpaid_invoices(now), user).count()
    counts["waiting"] = visible_order_rows(table.waiting_threads(now), user).count()
    board.action_total = Number(
        counts["total"], list_url("orders:list", state="", needs_action="true")
    )
    board.action = [
        (label, Number(counts[code], list_url("orders:list", state="", reason=code)))
        for code, label in table.REASONS.items()
    ]


def _parcels(board: Dashboard, user) -> None:
    """Parcels still out there (not delivered) in trouble, and stuck ones."""
    out_there = visible_shipments(user).exclude(  # shipment_on_its_way_idx
        status=tracking.TrackingStatus.DELIVERED
    )
    counts = out_there.aggregate(
        exceptions=Count("pk", filter=Q(status__in=tracking.TROUBLE)),
        stuck=Count("pk", filter=Q(stuck=True)),
    )
    board.exceptions = Number(
        counts["exceptions"],
        list_url("orders:list", state="", needs_action="true", has_tracking="true"),
    )
    board.stuck = Number(
        counts["stuck"], list_url("orders:list", state="open", has_tracking="true")
    )


# --- Conversations ----------------------------------------------------------------


SECONDS = Seconds(F("first_response_at"), F("first_inbound_at"))


def _answered(user, start, end):
    """Conversations whose first customer message came in [start, end) and were
    answered, as on the messaging metrics page."""
    return visible_threads(user).filter(
        first_inbound_at__gte=start,
        first_inbound_at__lt=end,
        first_response_at__isnull=False,
    )


def _median(user, start, end) -> float | None:
    """The median first response, in seconds, of the conversations of [start, end)."""
    return (
        _answered(user, start, end)
        .annotate(seconds=SECONDS)
        .aggregate(median=Median("seconds"))["median"]
    )


def _response_rows(user, start, end) -> list[dict]:
    """The median first response per day (of the current zone) in [start, end)."""
    zone = timezone.get_current_timezone()
    return list(
        _answered(user, start, end)
        .annotate(day=TruncDate("first_inbound_at", tzinfo=zone), seconds=SECONDS)
        .values("day")
        .annotate(median=Median("seconds"))
        .order_by("day")
    )


def _conversations(board: Dashboard, user, past: list[dict], month) -> None:
    """Unread conversations (the nav's count) and the median first response:
    today's, live; the 30 days' (`month`) and each closed day's (`past`), as
    kept."""
    unread = inbox_unread_count(user)
    board.unread = Number(
        f"{NAV_COUNT_CAP - 1}+" if unread >= NAV_COUNT_CAP else unread,
        list_url("messaging:inbox", unread="true"),
    )
    today_start = day_start(board.today)
    today = _median(user, today_start, day_start(board.today + dt.timedelta(days=1)))
    for window, since, median in (
        (board.day, board.today, today),
        (board.month, board.since, month),
    ):
        link = list_url(
            "messaging:metrics",
            date_from=since.isoformat(),
            date_to=board.today.isoformat(),
        )
        window.first_response = Number(median, link)
    per_day = {row["day"]: row["median"] for row in past}
    per_day[board.today] = today
    days = [board.since + dt.timedelta(days=n) for n in range(DAYS)]
    board.charts["first_response"] = {
        "labels": [day_label(day) for day in days],
        "values": [
            None if per_day.get(day) is None else round(per_day[day] / 60, 1)
            for day in days
        ],
    }


# --- Invoices ---------------------------------------------------------------------


def _overdue(board: Dashboard, user) -> None:
    # Only an invoice still owed and due by today (in any merchant's zone, at most
    # a day ahead) can be overdue: stated first, so that PostgreSQL reads the
    # small invoice_unsettled_idx rather than every invoice.
    rows = (
        visible_invoices(user)
        .filter(OWED, due_date__lte=board.today)
        .filter(payment_status=PaymentStatus.OVERDUE)
        .values("currency")
        .annotate(n=Count("pk"), amount=Sum("outstanding"))
        .order_by("currency")
    )
    board.overdue_amounts = [(row["currency"], row["n"], row["amount"]) for row in rows]
    board.overdue = Number(
        sum(n for _currency, n, _amount in board.overdue_amounts),
        list_url("invoices:list", status=PaymentStatus.OVERDUE),
    )
