"""Work waiting in tables, by kind, for /healthz (docs/faults.md).

Each kind reports how many items wait and how long the oldest one has waited past
its due time. A kind has a limit: an item older than that means the worker or sweep
that should take it is not doing so, and /healthz answers 503. The domain apps
register their kinds in AppConfig.ready (performile imports no domain app).
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Count, Min, QuerySet
from django.utils import timezone


@dataclass(frozen=True)
class Kind:
    waiting: Callable[[], QuerySet]  # the items waiting
    since: str  # the field their wait is counted from
    limit_seconds: float


_KINDS: dict[str, Kind] = {}


def register(name: str, waiting, *, since: str, limit_seconds: float) -> None:
    _KINDS[name] = Kind(waiting, since, limit_seconds)


def report() -> tuple[dict, list[str]]:
    """({kind: {"pending": n, "oldest_seconds": s}}, the kinds past their limit);
    one query per kind."""
    now = timezone.now()
    body, late = {}, []
    for name, kind in _KINDS.items():
        found = kind.waiting().aggregate(pending=Count("pk"), first=Min(kind.since))
        oldest = (
            max(0.0, (now - found["first"]).total_seconds()) if found["first"] else 0
        )
        body[name] = {"pending": found["pending"], "oldest_seconds": round(oldest, 1)}
        if oldest > kind.limit_seconds:
            late.append(name)
    return body, late
