"""Support metrics, per store and per staff member, over a date range: first
response time, response time, message volume per order, channel mix, unread
counts and thread resolution time.

Merchant staff, admins and superusers only, over the threads of their merchants'
visible orders. Each metric is one grouped SQL aggregate (avg, percentile_cont),
whatever the number of stores or people.
"""

import datetime as dt
from dataclasses import dataclass, field
from datetime import date

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import (
    Aggregate,
    Avg,
    BigIntegerField,
    Count,
    Exists,
    F,
    FloatField,
    Func,
    IntegerField,
    OuterRef,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from messaging import sla
from messaging.filters import day_start, internal_scope
from messaging.models import Message, Thread, ThreadReadState
from messaging.satisfaction_metrics import Satisfaction, satisfaction_by_store
from messaging.selectors import visible_threads
from orders.models import Membership, Store
from performile.errors import ApplicationError, NotAllowed

Direction = Message.Direction
Visibility = Message.Visibility
DEFAULT_DAYS = 30
MAX_DAYS = 366
TEAM_ROLES = [Membership.Role.STAFF, Membership.Role.ADMIN]


class Median(Aggregate):
    function = "percentile_cont"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()


class Seconds(Func):
    """Seconds from the second timestamp to the first."""

    template = "EXTRACT(EPOCH FROM (%(expressions)s))::float"
    arg_joiner = " - "
    output_field = FloatField()


@dataclass(frozen=True)
class MetricsFilters:
    store_id: int | None = None
    staff_id: int | None = None
    date_from: date | None = None
    date_to: date | None = None

    def bounds(self) -> tuple[dt.datetime, dt.datetime]:
        """[start, end): the date range, by default the last 30 days (today
        included)."""
        date_to = self.date_to or timezone.localdate()
        date_from = self.date_from or date_to - dt.timedelta(days=DEFAULT_DAYS - 1)
        return day_start(date_from), day_start(date_to + dt.timedelta(days=1))


@dataclass
class Durations:
    count: int = 0
    avg_seconds: float | None = None
    median_seconds: float | None = None


@dataclass
class Volume:
    orders: int = 0
    messages: int = 0
    avg_per_order: float | None = None
    max_per_order: int | None = None


@dataclass
class Row:
    """The metrics of one store or one staff member."""

    id: int
    name: str
    first_response: Durations = field(default_factory=Durations)
    response: Durations = field(default_factory=Durations)
    volume: Volume = field(default_factory=Volume)
    channels: dict[str, int] = field(default_factory=dict)
    unread: int = 0
    awaiting_reply: int = 0
    resolution: Durations = field(default_factory=Durations)
    # Conversations a customer wrote in, and those answered automatically (stores).
    asked: int = 0
    auto_answered: int = 0

    # First replies measured against the store's reply target, and those in time.
    sla_measured: int = 0
    sla_met: int = 0
    # The answers to "How did we do?" (stores only; docs/csat.md).
    satisfaction: Satisfaction | None = None

    @property
    def auto_share(self) -> float | None:
        return self.auto_answered / self.asked if self.asked else None

    @property
    def sla_share(self) -> float | None:
        return self.sla_met / self.sla_measured if self.sla_measured else None


@dataclass
class Metrics:
    date_from: date
    date_to: date
    stores: list[Row]
    staff: list[Row]


def metrics_filters_from(data) -> MetricsFilters:
    """From a query string: store, staff, date_from, date_to; an ApplicationError
    naming each bad field."""
    errors: dict[str, list[str]] = {}
    values = {}
    for name in ("store", "staff"):
        raw = str(data.get(name) or "").strip()
        if raw and (not raw.isdigit() or int(raw) < 1):
            errors[name] = ["Not an id."]
        values[f"{name}_id"] = int(raw) if raw.isdigit() and int(raw) else None
    for name in ("date_from", "date_to"):
        raw = str(data.get(name) or "").strip()
        try:
            values[name] = date.fromisoformat(raw) if raw else None
        except ValueError:
            errors[name] = ["Use YYYY-MM-DD."]
            values[name] = None
    start, end = values["date_from"], values["date_to"]
    if start and end and start > end:
        errors.setdefault("date_to", []).append("Before date_from.")
    elif start and end and (end - start).days >= MAX_DAYS:
        errors.setdefault("date_to", []).append(f"At most {MAX_DAYS} days.")
    if errors:
        raise ApplicationError("Invalid filters.", fields=errors)
    return MetricsFilters(**values)


def messaging_metrics(user, filters: MetricsFilters) -> Metrics:
    scope = internal_scope(user)
    if not scope:
        raise NotAllowed("Support metrics are for the merchant's staff and admins.")
    threads = visible_threads(user)
    if scope is not True:
        threads = threads.filter(merchant_id__in=list(scope))
    if filters.store_id:
        threads = threads.filter(store_id=filters.store_id)
    start, end = filters.bounds()
    messages = Message.objects.filter(
        thread__in=threads.values("pk"), created_at__gte=start, created_at__lt=end
    )
    satisfaction = satisfaction_by_store(
        user,
        merchant_ids=None if scope is True else scope,
        store_id=filters.store_id,
        start=start,
        end=end,
    )
    stores = _store_rows(threads, messages, start, end, satisfaction)
    staff = _staff_rows(threads, messages, start, end, scope, filters.staff_id)
    return Metrics(
        date_from=timezone.localdate(start),
        date_to=timezone.localdate(end) - dt.timedelta(days=1),
        stores=stores,
        staff=staff,
    )


# --- The measures, grouped by a column ----------------------------------------------


def _durations(rows: QuerySet, group: str, seconds) -> dict[int, Durations]:
    result = (
        rows.annotate(key=F(group), seconds=seconds)
        .values("key")
        .annotate(count=Count("pk"), avg=Avg("seconds"), median=Median("seconds"))
        .order_by()
    )
    return {
        row["key"]: Durations(row["count"], row["avg"], row["median"])
        for row in result
        if row["key"] is not None
    }


def _first_responses(threads, start, end) -> QuerySet[Thread]:
    return threads.filter(
        first_inbound_at__gte=start,
        first_inbound_at__lt=end,
        first_response_at__isnull=False,
    ).annotate(
        responder=Subquery(
            Message.objects.filter(
                thread=OuterRef("pk"),
                direction=Direction.OUTBOUND,
                visibility=Visibility.PUBLIC,
                created_at=OuterRef("first_response_at"),
            )
            .order_by("pk")
            .values("author_user_id")[:1]
        )
    )


def _replies(messages) -> QuerySet[Message]:
    return messages.filter(
        direction=Direction.OUTBOUND,
        visibility=Visibility.PUBLIC,
        author_user__isnull=False,
    )


def _resolved(threads, start, end) -> QuerySet[Thread]:
    return threads.filter(
        status=Thread.Status.CLOSED, closed_at__gte=start, closed_at__lt=end
    )


def _resolution_seconds():
    return Seconds(F("closed_at"), Coalesce("first_inbound_at", "created_at"))


def _first_response_seconds():
    return Seconds(F("first_response_at"), F("first_inbound_at"))


def _volumes(messages: QuerySet[Message], group: str) -> dict[int, Volume]:
    """Messages per order, per `group`: counted per thread in SQL, then averaged."""
    per_thread = (
        messages.annotate(key=F(group))
        .values("thread_id", "key")
        .annotate(n=Count("pk"))
        .order_by()
    )
    sql, params = per_thread.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT key, count(*), sum(n), avg(n)::float, max(n)"
            f" FROM ({sql}) per_thread GROUP BY key",
            params,
        )
        return {
            key: Volume(orders, int(total), avg, biggest)
            for key, orders, total, avg, biggest in cursor.fetchall()
            if key is not None
        }


def _channels(messages: QuerySet[Message], group: str) -> dict[int, dict[str, int]]:
    result: dict[int, dict[str, int]] = {}
    rows = (
        messages.annotate(key=F(group))
        .values("key", "channel")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in rows:
        if row["key"] is not None:
            result.setdefault(row["key"], {})[row["channel"]] = row["n"]
    return result


def _counts(rows: QuerySet, group: str) -> dict[int, int]:
    result = rows.annotate(key=F(group)).values("key").annotate(n=Count("pk"))
    return {row["key"]: row["n"] for row in result.order_by()}


def _service_level(threads, start, end) -> dict[str, dict[int, int]]:
    """Per store: first replies measured against its reply target, and in time."""
    measured = sla.with_response_target(_first_responses(threads, start, end)).exclude(
        response_minutes=None
    )
    return {
        "sla_measured": _counts(measured, "store_id"),
        "sla_met": _counts(measured.filter(sla.first_reply_in_time()), "store_id"),
    }


def _threads(messages: QuerySet[Message]) -> dict[int, int]:
    """Conversations with such messages, per store."""
    rows = messages.values("thread__store_id").annotate(
        n=Count("thread_id", distinct=True)
    )
    return {row["thread__store_id"]: row["n"] for row in rows.order_by()}


# --- Per store ----------------------------------------------------------------------


def _store_rows(threads, messages, start, end, satisfaction) -> list[Row]:
    measures = {
        "first_response": _durations(
            _first_responses(threads, start, end),
            "store_id",
            _first_response_seconds(),
        ),
        "response": _durations(
            _replies(messages).filter(response_seconds__isnull=False),
            "thread__store_id",
            F("response_seconds"),
        ),
        "volume": _volumes(
            messages.filter(visibility=Visibility.PUBLIC).exclude(
                direction=Direction.SYSTEM
            ),
            "thread__store_id",
        ),
        "channels": _channels(
            messages.filter(direction=Direction.INBOUND), "thread__store_id"
        ),
        "unread": _counts(_unread_by_the_team(messages), "thread__store_id"),
        "awaiting_reply": _counts(
            threads.filter(awaiting_reply_since__isnull=False), "store_id"
        ),
        "resolution": _durations(
            _resolved(threads, start, end), "store_id", _resolution_seconds()
        ),
        "asked": _threads(messages.filter(direction=Direction.INBOUND)),
        **_service_level(threads, start, end),
        "auto_answered": _threads(messages.filter(automatic=True)),
        "satisfaction": satisfaction,
    }
    ids = set().union(*measures.values())
    names = dict(Store.objects.filter(pk__in=ids).values_list("pk", "name"))
    return sorted(
        (_row(pk, names.get(pk, ""), measures) for pk in ids),
        key=lambda row: (row.name, row.id),
    )


def _unread_by_the_team(messages) -> QuerySet[Message]:
    """Customer messages none of the merchant's staff or admins has read (read
    up to, or past, in their thread: replying reads the thread too)."""
    team_read = ThreadReadState.objects.filter(
        thread=OuterRef("thread_id"),
        last_read_id__gte=OuterRef("pk"),
        user__memberships__merchant_id=OuterRef("merchant_id"),
        user__memberships__role__in=TEAM_ROLES,
    )
    return messages.filter(
        direction=Direction.INBOUND, visibility=Visibility.PUBLIC
    ).exclude(Exists(team_read))


# --- Per staff member ---------------------------------------------------------------


def _staff_rows(threads, messages, start, end, scope, staff_id) -> list[Row]:
    replies = _replies(messages)
    first = _first_responses(threads, start, end)
    resolved = _resolved(threads, start, end)
    if staff_id:
        replies = replies.filter(author_user_id=staff_id)
        first = first.filter(responder=staff_id)
        resolved = resolved.filter(closed_by_id=staff_id)
    measures = {
        "first_response": _durations(first, "responder", _first_response_seconds()),
        "response": _durations(
            replies.filter(response_seconds__isnull=False),
            "author_user_id",
            F("response_seconds"),
        ),
        "volume": _volumes(replies, "author_user_id"),
        "channels": _channels(replies, "author_user_id"),
        "unread": _staff_unread(messages, scope, staff_id),
        "resolution": _durations(resolved, "closed_by_id", _resolution_seconds()),
    }
    ids = set().union(*measures.values())
    users = get_user_model().objects.filter(pk__in=ids)
    names = {user.pk: user.get_full_name() or user.get_username() for user in users}
    return sorted(
        (_row(pk, names.get(pk, ""), measures) for pk in ids),
        key=lambda row: (row.name, row.id),
    )


def _staff_unread(messages, scope, staff_id) -> dict[int, int]:
    """For each staff member and admin: the customer messages of the range they
    have not read (after how far they read each thread)."""
    members = Membership.objects.filter(
        role__in=TEAM_ROLES,
        user__is_active=True,
    )
    if scope is not True:
        members = members.filter(merchant_id__in=list(scope))
    if staff_id:
        members = members.filter(user_id=staff_id)
    read_up_to = ThreadReadState.objects.filter(
        thread=OuterRef("thread_id"), user=OuterRef(OuterRef("user_id"))
    ).values("last_read_id")[:1]
    unread = (
        messages.filter(
            direction=Direction.INBOUND,
            visibility=Visibility.PUBLIC,
            merchant_id=OuterRef("merchant_id"),
        )
        .filter(
            pk__gt=Coalesce(
                Subquery(read_up_to, output_field=BigIntegerField()), Value(0)
            )
        )
        .exclude(author_user_id=OuterRef("user_id"))
        .order_by()
        .values("merchant_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    rows = members.annotate(
        n=Coalesce(Subquery(unread, output_field=IntegerField()), Value(0))
    ).values_list("user_id", "n")
    result: dict[int, int] = {}
    for user_id, n in rows:
        result[user_id] = result.get(user_id, 0) + n
    return result


def _row(pk: int, name: str, measures: dict) -> Row:
    row = Row(id=pk, name=name)
    for measure, values in measures.items():
        if pk in values:
            setattr(row, measure, values[pk])
    return row


def metrics_charts(report: Metrics) -> dict:
    """The report as charts: the median first response and response time, in
    minutes, per store and per staff member."""

    def minutes(durations: Durations) -> float | None:
        seconds = durations.median_seconds
        return None if seconds is None else round(seconds / 60, 1)

    def chart(rows: list[Row]) -> dict:
        return {
            "labels": [row.name or "—" for row in rows],
            "series": [
                {
                    "label": "First response",
                    "values": [minutes(row.first_response) for row in rows],
                },
                {
                    "label": "Response",
                    "values": [minutes(row.response) for row in rows],
                },
            ],
        }

    return {"stores": chart(report.stores), "staff": chart(report.staff)}
