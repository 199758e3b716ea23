"""Service levels: each store's targets for a person's reply and for closing a
conversation (`SupportSettings`), what the Inbox flags against them, and what the
metrics count as met (docs/inbox.md, "Service levels").

- **Reply**: a customer who waits (`Thread.awaiting_reply_since`, set by their first
  unanswered message, cleared by a reply or a settling automatic answer) is
  answered within `first_response_minutes`. Every wait counts, not only the first.
- **Resolution**: an open conversation is closed within `resolution_hours` of the
  start of its current open period: its first customer message, or its reopening.
- **Near** a target: three quarters of its time gone. **Breached**: all of it.
"""

import datetime as dt
from dataclasses import dataclass

from django.db.models import (
    Case,
    DateTimeField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Greatest

from messaging.models import SupportSettings, Thread
from messaging.selectors import support_settings

NEAR_SHARE = 0.75
# A store without settings: the model's default.
DEFAULT_RESPONSE_MINUTES = SupportSettings().first_response_minutes


@dataclass(frozen=True)
class Targets:
    response: dt.timedelta | None
    resolution: dt.timedelta | None


@dataclass(frozen=True)
class Flag:
    """A conversation near or past one of its targets."""

    kind: str  # "reply" or "resolution"
    breached: bool
    due_at: dt.datetime

    def describe(self, now: dt.datetime) -> str:
        what = "Reply" if self.kind == "reply" else "Resolution"
        if self.breached:
            return f"{what} overdue {span(now - self.due_at)}"
        return f"{what} due in {span(self.due_at - now)}"


def targets_by_store(store_ids) -> dict[int, Targets]:
    """Each store's targets (messaging.selectors.support_settings: one query)."""
    return {
        pk: Targets(
            _minutes(found.first_response_minutes), _hours(found.resolution_hours)
        )
        for pk, found in support_settings(store_ids).items()
    }


def thread_flags(thread: Thread, targets: Targets, now: dt.datetime) -> list[Flag]:
    """The open conversation's flags: its reply and its resolution, each near or
    past its target (none when comfortably within them, or closed)."""
    if not thread.is_open:
        return []
    flags = []
    if thread.awaiting_reply_since and targets.response:
        flags += _flag("reply", thread.awaiting_reply_since, targets.response, now)
    start = resolution_start(thread)
    if start and targets.resolution:
        flags += _flag("resolution", start, targets.resolution, now)
    return flags


def resolution_start(thread: Thread) -> dt.datetime | None:
    """Where the resolution clock of the current open period starts: its first
    customer message, or the reopening after it."""
    if not thread.first_inbound_at:
        return None
    return max(thread.first_inbound_at, thread.opened_at)


def _flag(kind: str, since, target: dt.timedelta, now) -> list[Flag]:
    due = since + target
    if now >= due:
        return [Flag(kind, True, due)]
    if now - since >= target * NEAR_SHARE:
        return [Flag(kind, False, due)]
    return []


# --- In SQL: the escalation sweep and the metrics --------------------------------


def with_response_target(threads: QuerySet[Thread]) -> QuerySet[Thread]:
    """Each thread with `response_minutes`: its store's reply target (the default
    for a store without settings; None where the store set none)."""
    return _with_target(threads, "first_response_minutes", "response_minutes")


def _with_target(threads: QuerySet[Thread], field: str, name: str):
    settings = SupportSettings.objects.filter(store_id=OuterRef("store_id"))
    default = getattr(SupportSettings(), field)
    return threads.annotate(
        **{
            name: Case(
                When(Exists(settings), then=Subquery(settings.values(field)[:1])),
                default=Value(default),
                output_field=IntegerField(),
            )
        }
    )


def waiting_for_reply(
    threads: QuerySet[Thread], state: str, now: dt.datetime
) -> QuerySet[Thread]:
    """Open threads whose customer waits past the store's reply target
    (`state` "overdue") or in its last quarter ("near"), as the Inbox flags them."""
    minute = dt.timedelta(minutes=1)
    target = F("response_minutes") * Value(minute)
    threads = (
        with_response_target(threads)
        .filter(status=Thread.Status.OPEN, awaiting_reply_since__isnull=False)
        .exclude(response_minutes=None)
        .annotate(
            reply_due=ExpressionWrapper(
                F("awaiting_reply_since") + target, output_field=DateTimeField()
            ),
            reply_near=ExpressionWrapper(
                F("awaiting_reply_since") + target * Value(NEAR_SHARE),
                output_field=DateTimeField(),
            ),
        )
    )
    if state == "overdue":
        return threads.filter(reply_due__lte=now)
    return threads.filter(reply_near__lte=now, reply_due__gt=now)


def reply_overdue(threads: QuerySet[Thread], now: dt.datetime) -> QuerySet[Thread]:
    """The overdue waits (`waiting_for_reply`) not escalated yet."""
    return waiting_for_reply(threads, "overdue", now).filter(
        Q(sla_escalated_at=None) | Q(sla_escalated_at__lt=F("awaiting_reply_since"))
    )


def resolution_overdue(threads: QuerySet[Thread], now: dt.datetime):
    """Open threads past their store's resolution target in their current open
    period (`resolution_start`), not escalated in it yet."""
    hour = dt.timedelta(hours=1)
    start = Greatest("first_inbound_at", "opened_at")
    threads = (
        _with_target(threads, "resolution_hours", "resolution_target")
        .filter(status=Thread.Status.OPEN, first_inbound_at__isnull=False)
        .exclude(resolution_target=None)
        .annotate(
            resolution_from=start,
            resolution_due=ExpressionWrapper(
                start + F("resolution_target") * Value(hour),
                output_field=DateTimeField(),
            ),
        )
    )
    return threads.filter(resolution_due__lte=now).filter(
        Q(resolution_escalated_at=None)
        | Q(resolution_escalated_at__lt=F("resolution_from"))
    )


def first_reply_in_time() -> Q:
    """On threads `with_response_target`: the first reply came within it."""
    minute = dt.timedelta(minutes=1)
    return Q(
        first_response_at__lte=ExpressionWrapper(
            F("first_inbound_at") + F("response_minutes") * Value(minute),
            output_field=DateTimeField(),
        )
    )


def _minutes(value: int | None) -> dt.timedelta | None:
    return dt.timedelta(minutes=value) if value else None


def _hours(value: int | None) -> dt.timedelta | None:
    return dt.timedelta(hours=value) if value else None


def span(delta: dt.timedelta) -> str:
    minutes = max(int(delta.total_seconds() // 60), 1)
    hours, minutes = divmod(minutes, 60)
    if hours >= 48:
        return f"{hours // 24} d"
    if hours:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    return f"{minutes} min"
