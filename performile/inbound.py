"""Inbound deliveries: recorded and acknowledged, then applied in batches
(ARCHITECTURE.md, mechanism 3; docs/inbound.md).

The edge, `record()`: a webhook endpoint that has checked the signature and read
the body writes one `InboundDelivery` with a single INSERT ... ON CONFLICT DO
NOTHING and answers. A trigger NOTIFYs the appliers.

The appliers, `apply_batch()` (run by `manage.py inbound_apply`, any number of
them): each batch is one transaction that
- claims up to `size` due rows with FOR UPDATE SKIP LOCKED, taking a row only when
  no earlier due row of its entity (an order, a parcel, a sender) is still pending,
  so the deliveries of one entity apply in the order they came;
- applies them through their provider's applier (`<app>/appliers.py`) in one
  savepoint; when one raises, that savepoint is rolled back and the rows are
  applied one at a time, each in its own, so a bad row holds up nothing else;
- writes each row's outcome in the same transaction as its effect.
The effect and the outcome commit together, and a worker that dies mid-batch rolls
all of it back, leaving the rows pending for the next applier: each row is applied
exactly once, however many appliers run. A row that failed is tried again after a
backoff and marked failed after the last attempt; `replay()` puts it (or any row)
back in the queue.
"""

import hashlib
import io
import json
import logging
import threading
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.handlers.wsgi import WSGIRequest
from django.db import connection, transaction
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules

from performile.errors import RetryLater
from performile.models import InboundDelivery
from performile.outbox import BACKOFF

logger = logging.getLogger(__name__)

Status = InboundDelivery.Status
CHANNEL = "performile_inbound"
KEY_MAX_LENGTH = 200
BATCH_SIZE = 100
# The outbox's waits after the 1st, 2nd, ... failed attempt (30 s ... 6 h); after
# the last one the row is marked failed.
MAX_ATTEMPTS = len(BACKOFF) + 1
ERROR_MAX_LENGTH = 2000
# Headers an applier may need again (Content-Type and the providers' X- headers);
# none that carries a secret or a signature, which the door has checked.
KEPT_HEADERS = ("content-type",)
SECRET_HEADER_WORDS = ("secret", "token", "signature", "hmac", "auth", "key")


def key(value: str) -> str:
    """A delivery id or entity as stored: itself, or its digest when it is too long
    for the unique index (two long ids sharing a prefix stay two ids)."""
    if len(value) <= KEY_MAX_LENGTH:
        return value
    return (
        "sha256:" + hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()
    )


# --- The edge ------------------------------------------------------------------


def record(
    request,
    *,
    provider: str,
    delivery_id: str,
    entity: str,
    route: dict | None = None,
    store_id: int | None = None,
    merchant_id: int | None = None,
) -> int | None:
    """Write the delivery; its id, or None when it was recorded before."""
    recorded = enqueue(
        provider=provider,
        delivery_id=delivery_id,
        entity=entity,
        route=route,
        store_id=store_id,
        merchant_id=merchant_id,
        headers=_kept_headers(request),
        body=request.body,
    )
    if recorded is not None and settings.INBOUND_APPLY_EAGER:
        # Tests: apply it now, through the same path.
        apply_batch(ids=[recorded])
    return recorded


def enqueue(
    *,
    provider: str,
    delivery_id: str,
    entity: str,
    body: bytes,
    route: dict | None = None,
    headers: dict | None = None,
    store_id: int | None = None,
    merchant_id: int | None = None,
) -> int | None:
    """One row for the appliers, in the caller's transaction; None if it exists."""
    ids = enqueue_many(
        [
            {
                "provider": provider,
                "delivery_id": delivery_id,
                "entity": entity,
                "body": body,
                "route": route,
                "headers": headers,
                "store_id": store_id,
                "merchant_id": merchant_id,
            }
        ]
    )
    return ids[0] if ids else None


def enqueue_many(rows: list[dict]) -> list[int]:
    """`enqueue` for several rows in one INSERT; the ids of those that were new."""
    if not rows:
        return []
    values = ", ".join(
        ["(%s, %s, %s, %s, %s, %s::jsonb, %s::jsonb, %s, 'pending', 0, '', '{}')"]
        * len(rows)
    )
    params = []
    for row in rows:
        params += [
            row["provider"],
            key(row["delivery_id"]),
            key(row["entity"]),
            row.get("store_id"),
            row.get("merchant_id"),
            json.dumps(row.get("route") or {}),
            json.dumps(row.get("headers") or {}),
            row["body"],
        ]
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO performile_inbounddelivery (provider, delivery_id, entity,"
            " store_id, merchant_id, route, headers, body, status, attempts, error,"
            f" result) VALUES {values} ON CONFLICT DO NOTHING RETURNING id",
            params,
        )
        return [row_id for (row_id,) in cursor.fetchall()]


def _kept_headers(request) -> dict:
    kept = {}
    for name, value in request.headers.items():
        lower = name.lower()
        if any(word in lower for word in SECRET_HEADER_WORDS):
            continue
        if lower.startswith("x-") or lower in KEPT_HEADERS:
            kept[name] = value
    return kept


def stored_request(delivery: InboundDelivery) -> WSGIRequest:
    """The request again, as the endpoint saw it: body, headers, form and files."""
    body = bytes(delivery.body)
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": "/",
        "SERVER_NAME": "inbound",
        "SERVER_PORT": "443",
        "wsgi.url_scheme": "https",
        "wsgi.input": io.BytesIO(body),
        "CONTENT_LENGTH": str(len(body)),
    }
    for name, value in delivery.headers.items():
        if name.lower() == "content-type":
            environ["CONTENT_TYPE"] = value
        else:
            environ["HTTP_" + name.upper().replace("-", "_")] = value
    request = WSGIRequest(environ)
    request._body = body  # read as it was at the door, whatever its size
    return request


# --- Outcomes and appliers ------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    status: str
    result: dict = field(default_factory=dict)
    error: str = ""


def applied(**result) -> Outcome:
    return Outcome(Status.APPLIED, result)


def duplicate(**result) -> Outcome:
    return Outcome(Status.DUPLICATE, result)


def ignored(reason: str, **result) -> Outcome:
    return Outcome(Status.IGNORED, {"reason": reason, **result})


def retry(error: str, **result) -> Outcome:
    """Partly done: try again after a backoff, keeping `result` for that attempt."""
    return Outcome(Status.PENDING, result, error)


Applier = Callable[[InboundDelivery, WSGIRequest], Outcome]
BatchApplier = Callable[[list[InboundDelivery]], list[Outcome]]
_appliers: dict[str, Applier] = {}
_batch_appliers: dict[str, BatchApplier] = {}
_discovered = []


def applier(provider: str):
    """Register the function that applies `provider`'s deliveries."""

    def register(function: Applier) -> Applier:
        _appliers[provider] = function
        return function

    return register


def batch_applier(provider: str):
    """Register the function that applies several of `provider`'s deliveries at
    once (set-based SQL), in their order: one outcome per row. It may hand rows it
    has no shortcut for to the provider's row applier."""

    def register(function: BatchApplier) -> BatchApplier:
        _batch_appliers[provider] = function
        return function

    return register


def _discover() -> None:
    if not _discovered:
        autodiscover_modules("appliers")
        _discovered.append(True)


def applier_for(provider: str) -> Applier:
    _discover()
    return _appliers[provider]


def batch_applier_for(provider: str) -> BatchApplier | None:
    _discover()
    return _batch_appliers.get(provider)


def first_time(delivery: InboundDelivery, provider: str, keys: Iterable[str]) -> bool:
    """Remember `keys` for this delivery; False when another delivery applied any of
    them before (the same event, sent twice under different delivery ids)."""
    return first_time_many(provider, [delivery], [keys])[0]


def first_time_many(
    provider: str, deliveries: list[InboundDelivery], keys: list[Iterable[str]]
) -> list[bool]:
    """`first_time` for several deliveries in one statement. Their keys must not
    overlap (the caller applies a delivery that shares one by itself)."""
    keys = [list(dict.fromkeys(key(k) for k in its_keys)) for its_keys in keys]
    rows, params = [], []
    for delivery, its_keys in zip(deliveries, keys, strict=True):
        for k in its_keys:
            rows.append("(%s, %s, %s, now())")
            params += [provider, k, delivery.pk]
    if not rows:
        return [True] * len(deliveries)
    with connection.cursor() as cursor:
        # A key this same delivery wrote (a replay) comes back as if it were new.
        cursor.execute(
            "INSERT INTO performile_inboundkey (provider, key, delivery_id, created_at)"
            f" VALUES {', '.join(rows)} ON CONFLICT (provider, key) DO UPDATE"
            " SET provider = EXCLUDED.provider"
            " WHERE performile_inboundkey.delivery_id = EXCLUDED.delivery_id"
            " RETURNING delivery_id",
            params,
        )
        recorded = Counter(delivery_id for (delivery_id,) in cursor.fetchall())
    return [
        recorded[delivery.pk] == len(its_keys)
        for delivery, its_keys in zip(deliveries, keys, strict=True)
    ]


# --- Applying ------------------------------------------------------------------------

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


# --- The worker ---------------------------------------------------------------------


def run(
    *,
    size: int = BATCH_SIZE,
    idle: float = 5.0,
    stop=lambda: False,
    kinds: tuple[str, ...] = (DELIVERIES, EVENTS),
) -> None:
    """Apply rows of `kinds` until `stop()`: drain what is due, then wait for a
    NOTIFY (or `idle` seconds, for rows whose backoff has run out)."""
    import psycopg

    listener = psycopg.connect(**_listener_params(), autocommit=True)
    listener.execute(f"LISTEN {CHANNEL}")
    try:
        while not stop():
            while apply_batch(size, kinds=kinds) and not stop():
                pass
            connection.close()  # back to the pool while idle
            _wait(listener, idle)
    finally:
        listener.close()


def _wait(listener, idle: float) -> None:
    for _notify in listener.notifies(timeout=idle, stop_after=1):
        pass


def _listener_params() -> dict:
    params = connection.get_connection_params()
    for name in ("cursor_factory", "context", "prepare_threshold"):
        params.pop(name, None)
    return params
