"""The home dashboard's figures as the page reads them: a number and the list it
links to, the two windows (today, the last 30 days), the page's whole state."""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from urllib.parse import urlencode

from django.urls import reverse

DAYS = 30  # "the last 30 days": today and the 29 before it
WEEKS = 6  # the on-time chart's weeks (the current one included)


@dataclass(frozen=True)
class Number:
    """One figure and the list it comes from."""

    value: object
    url: str


@dataclass
class Window:
    """The figures of one period (today, or the last 30 days)."""

    orders: Number | None = None
    revenue: list[tuple[str, Number]] = field(default_factory=list)
    on_time: Number | None = None  # value: a share 0-1, or None without promises
    first_response: Number | None = None  # value: median seconds, or None


@dataclass
class Dashboard:
    today: dt.date
    since: dt.date
    zone: str
    day: Window
    month: Window
    action: list[tuple[str, Number]]  # (reason, orders needing action for it)
    action_total: Number
    exceptions: Number  # parcels on their way with a courier exception
    stuck: Number  # parcels with no news for SHIPMENT_STUCK_AFTER_HOURS
    unread: Number | None  # conversations with something unread (messaging staff)
    overdue: Number | None  # overdue invoices (billing staff)
    overdue_amounts: list[tuple[str, int, Decimal]] = field(default_factory=list)
    charts: dict = field(default_factory=dict)
    # When the closed days' figures were computed (a timestamp), and whether they
    # are old enough to be computed again (workspace.dashboard.history).
    history_at: float = 0.0
    history_stale: bool = False

    @property
    def history_time(self) -> dt.datetime:
        return dt.datetime.fromtimestamp(self.history_at, tz=dt.UTC)


def day_label(day: dt.date) -> str:
    return f"{day.day} {day:%b}"


def list_url(name: str, **params) -> str:
    query = urlencode(params, doseq=True)
    return reverse(name) + (f"?{query}" if query else "")
