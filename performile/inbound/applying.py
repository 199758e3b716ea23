"""Applying: claim due rows, apply them through their provider's applier, record
each outcome in the same transaction as its effect."""

import json
import logging
import threading

from django.db import connection, transaction
from django.utils import timezone

from performile.errors import RetryLater
from performile.inbound.edge import stored_request
from performile.inbound.registry import Outcome, applier_for, batch_applier_for
from performile.models import InboundDelivery
from performile.outbox import BACKOFF

logger = logging.getLogger(__name__)

Status = InboundDelivery.Status
CHANNEL = "performile_inbound"
BATCH_SIZE = 100
# The outbox's waits after the 1st, 2nd, ... failed attempt (30 s ... 6 h); after
# the last one the row is marked failed.
MAX_ATTEMPTS = len(BACKOFF) + 1
ERROR_MAX_LENGTH = 2000

# Rows in order; an entity's rows go to the applier that holds its advisory lock
# (re-entrant within a transaction), so no two appliers ever apply rows of one
# entity at the same time, and each applies them in order.
CLAIM = """
SELECT d.* FROM performile_inbounddelivery d
WHERE d.status = 'pending' AND d.provider {kind} 'event'
  AND d.available_at <= statement_timestamp() {only}
  AND pg_try_advisory_xact_lock(%s, hashtext(d.entity))
ORDER BY d.seq
LIMIT %s
FOR UPDATE OF d SKIP LOCKED
"""
LOCK_SPACE = 0x1B0D  # the advisory locks' first key: this queue's entities


DELIVERIES, EVENTS = "deliveries", "events"
# Events are claimed in smaller batches: an applier that does both is back for the
# next webhook within a few hundred milliseconds.
EVENT_BATCH_SIZE = 20


def apply_batch(
    size: int = BATCH_SIZE,
    ids: list[int] | None = None,
    kinds: tuple[str, ...] = (DELIVERIES, EVENTS),
) -> int:
    """Claim and apply up to `size` due rows (or only `ids`); how many. Providers'
    deliveries come first, and domain events only when no delivery is waiting:
    under load a webhook's order shows at once, and its invoice and messages
    follow."""
    with transaction.atomic():
        rows = _claim("<>", size, ids) if DELIVERIES in kinds else []
        if not rows and EVENTS in kinds:
            rows = _claim("=", min(size, EVENT_BATCH_SIZE), ids)
        if not rows:
            return 0
        try:
            with transaction.atomic():
                outcomes = _apply_together(rows)
        except Exception:  # noqa: BLE001 - one row's error; each row alone now
            outcomes = [_apply_alone(row) for row in rows]
        _save_outcomes(rows, outcomes)
    return len(rows)


def _claim(kind: str, size: int, ids) -> list[InboundDelivery]:
    only, params = ("AND d.id = ANY(%s)", [ids]) if ids is not None else ("", [])
    return list(
        InboundDelivery.objects.raw(
            CLAIM.format(kind=kind, only=only), [*params, LOCK_SPACE, size]
        )
    )


def _apply_together(rows: list[InboundDelivery]) -> list[Outcome]:
    """Each provider's rows through its batch applier if it has one (set-based),
    else one by one. Rows of one entity are all one provider's, so their order
    holds."""
    by_provider: dict[str, list[InboundDelivery]] = {}
    for row in rows:
        by_provider.setdefault(row.provider, []).append(row)
    outcomes: dict[int, Outcome] = {}
    for provider, group in by_provider.items():
        together = batch_applier_for(provider) if len(group) > 1 else None
        results = together(group) if together else [_apply(row) for row in group]
        outcomes.update(zip((row.pk for row in group), results, strict=True))
    return [outcomes[row.pk] for row in rows]


def apply_one(row: InboundDelivery) -> Outcome:
    """The row applier of `row`'s provider (for a batch applier's leftovers)."""
    return _apply(row)


def _apply(row: InboundDelivery) -> Outcome:
    # A domain event is not a request: its applier reads the row alone.
    request = None if row.provider == "event" else stored_request(row)
    return applier_for(row.provider)(row, request)


_alone = threading.local()


def applying_alone() -> bool:
    """Whether the row is being applied by itself, after its batch failed: an
    applier that does several things may then keep each in a savepoint of its own
    (the batch saves those statements)."""
    return getattr(_alone, "active", False)


def _apply_alone(row: InboundDelivery) -> Outcome | Exception:
    before, _alone.active = applying_alone(), True
    try:
        with transaction.atomic():
            return _apply(row)
    except RetryLater as exc:
        logger.info("inbound %s deferred: %s", row.pk, exc.message)
        return exc
    except Exception as exc:  # noqa: BLE001 - recorded on the row, retried
        logger.exception(
            "inbound delivery %s (%s) failed",
            row.pk,
            row.provider,
            extra={"store_id": row.store_id},
        )
        return exc
    finally:
        _alone.active = before


def _save_outcomes(rows, outcomes) -> None:
    values, params = [], []
    for row, outcome in zip(rows, outcomes, strict=True):
        if isinstance(outcome, Exception):
            outcome = Outcome(Status.PENDING, {}, _describe(outcome))
        status, result, error, delay = outcome.status, outcome.result, "", 0
        if status == Status.PENDING:
            attempt = row.attempts + 1
            status = Status.FAILED if attempt >= MAX_ATTEMPTS else Status.PENDING
            delay = BACKOFF[min(attempt, len(BACKOFF)) - 1].total_seconds()
            error = outcome.error[:ERROR_MAX_LENGTH]
        values.append("(%s, %s, %s::jsonb, %s, %s)")
        params += [row.pk, status, json.dumps(result, default=str), error, delay]
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE performile_inbounddelivery d SET status = v.status,"
            " result = v.result, error = v.error, attempts = d.attempts + 1,"
            " finished_at = CASE WHEN v.status = 'pending' THEN NULL ELSE now() END,"
            " available_at = now() + make_interval(secs => v.delay)"
            f" FROM (VALUES {', '.join(values)})"
            " AS v(id, status, result, error, delay) WHERE d.id = v.id",
            params,
        )


def _describe(exc: Exception) -> str:
    message = getattr(exc, "message", None) or str(exc)
    return f"{type(exc).__name__}: {message}"


def replay(deliveries) -> int:
    """Put deliveries back in the queue, behind what is pending: applied again
    through the same idempotent path (after a mapping fix, or a failed row)."""
    updated = deliveries.update(
        status=Status.PENDING,
        attempts=0,
        error="",
        finished_at=None,
        available_at=timezone.now(),
        seq=_next_seq(),
    )
    notify()
    return updated


def _next_seq():
    from django.db.models import Func, Value

    return Func(Value("performile_inbound_seq"), function="nextval")


def notify() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_notify(%s, '')", [CHANNEL])
