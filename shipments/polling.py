"""Polling couriers for tracking: the fallback when webhooks are late or missing.

Due shipments are claimed in batches by one UPDATE ... RETURNING whose subquery
locks them with FOR UPDATE SKIP LOCKED and leases them (next_poll_at pushed out), so
two workers never poll the same shipment. A poll that brings no news costs three
statements: the shipment, its known events, the next poll's time. The schedule lives in the database (next_poll_at), never in
Celery ETAs, which Redis would redeliver past its visibility timeout.
"""

import logging
import time
from collections import Counter
from datetime import timedelta

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Count
from django.db.models.functions import Coalesce
from django.utils import timezone

from orders.tracking import TrackingStatus
from performile.errors import ApplicationError
from shipments.couriers import courier_for
from shipments.couriers.base import (
    CourierError,
    CourierRateLimited,
    CourierUnavailable,
    ShipmentNotFound,
)
from shipments.models import Shipment
from shipments.services import shipment_apply_update

logger = logging.getLogger(__name__)

LEASE = timedelta(minutes=5)
BACKOFF_BASE = timedelta(minutes=5)
BACKOFF_MAX = timedelta(hours=6)
FINAL = (TrackingStatus.DELIVERED, TrackingStatus.RETURNED, TrackingStatus.EXPIRED)
# A batch stops asking after this long and hands its other shipments back (a hung
# courier answers each request only at its read timeout).
BATCH_BUDGET_SECONDS = 60
# A courier account that failed this many polls in a row is not asked for a while.
PAUSE_AFTER_FAILURES = 3
ACCOUNT_PAUSE = timedelta(minutes=2)


def shipments_claim_due(*, batch: int = 100, now=None) -> list[int]:
    """Ids of up to `batch` due shipments, leased to the caller: one statement
    (a row another worker is claiming at the same moment is skipped)."""
    now = now or timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE shipments_shipment SET next_poll_at = %s WHERE id IN ("
            " SELECT id FROM shipments_shipment WHERE next_poll_at <= %s"
            " ORDER BY next_poll_at LIMIT %s FOR UPDATE SKIP LOCKED)"
            " RETURNING id",
            [now + LEASE, now, batch],
        )
        return [row[0] for row in cursor.fetchall()]


def poll_backoff(failures: int) -> timedelta:
    """5 min, 10, 20, ... capped at 6 hours."""
    return min(BACKOFF_BASE * (2 ** max(failures - 1, 0)), BACKOFF_MAX)


class TrackingRefreshFailed(ApplicationError):
    """The courier could not tell us now; nothing was changed."""

    code = "courier_unavailable"
    http_status = 503


def shipment_poll(shipment_id: int) -> str:
    """Ask the courier about one shipment; returns what happened (for logs)."""
    answer = _ask(shipment_id)
    if isinstance(answer, str):
        return answer
    return "changed" if _apply_polled(*answer) else "unchanged"


def shipments_poll(shipment_ids: list[int]) -> Counter:
    """Poll a claimed batch: ask the courier about each shipment (outside any
    transaction), then apply all the answers in one transaction. When one of them
    fails, each is applied on its own, so the others still land. Returns how many
    had each outcome."""
    outcomes, answers = Counter(), []
    deadline = time.monotonic() + BATCH_BUDGET_SECONDS
    for index, shipment_id in enumerate(shipment_ids):
        if time.monotonic() > deadline:
            outcomes["handed back"] += _hand_back(shipment_ids[index:])
            break
        try:
            answer = _ask(shipment_id)
        except SoftTimeLimitExceeded:
            outcomes["handed back"] += _hand_back(shipment_ids[index:])
            break
        except Exception:
            logger.exception("polling shipment %s failed", shipment_id)
            outcomes["error"] += 1
            continue
        if isinstance(answer, str):
            outcomes[answer] += 1
        else:
            answers.append(answer)
    try:
        with transaction.atomic():
            changed = [_apply_polled(*answer) for answer in answers]
    except Exception:  # noqa: BLE001 - one answer's error: each on its own now
        changed = [_apply_alone(*answer) for answer in answers]
    for result in changed:
        outcomes[{True: "changed", False: "unchanged", None: "error"}[result]] += 1
    return outcomes


def _ask(shipment_id: int):
    """(shipment, courier, update), or what kept us from asking or an answer."""
    shipment, courier = _shipment_and_courier(shipment_id)
    if account_paused(shipment.account_id):
        _reschedule(shipment, ACCOUNT_PAUSE, failed=False)
        return "courier paused"
    if not rate_limit_take(shipment.account_id, courier.rate_limit_per_s):
        _reschedule(shipment, timedelta(seconds=1), failed=False)
        return "held back by our rate limit"
    try:
        update = courier.track(shipment.tracking_number)
    except CourierRateLimited as exc:
        wait = timedelta(seconds=exc.retry_after or 0)
        _reschedule(shipment, max(wait, poll_backoff(shipment.poll_failures + 1)))
        return "429"
    except CourierUnavailable as exc:
        logger.warning(
            "courier unavailable polling shipment %s (%s): %s",
            shipment.pk,
            shipment.tracking_number,
            exc,
            extra={"account_id": shipment.account_id},
        )
        _account_failed(shipment.account_id)
        _reschedule(shipment, poll_backoff(shipment.poll_failures + 1))
        return "unavailable"
    except ShipmentNotFound:
        _reschedule(shipment, poll_backoff(shipment.poll_failures + 1))
        return "not found yet"
    _account_answered(shipment.account_id)
    return shipment, courier, update


def _hand_back(shipment_ids: list[int]) -> int:
    """Shipments of a batch that ran out of time: due again at once, for the next
    worker, instead of after their lease."""
    return Shipment.objects.filter(pk__in=shipment_ids).update(
        next_poll_at=timezone.now()
    )


# A breaker per courier account, shared by all workers through the cache: a courier
# that keeps failing (down, or hanging until each read times out) is left alone
# for ACCOUNT_PAUSE instead of costing every poll of its shipments a timeout.


def account_paused(account_id: int) -> bool:
    return bool(cache.get(f"courier-paused:{account_id}"))


def _account_failed(account_id: int) -> None:
    key = f"courier-failures:{account_id}"
    cache.add(key, 0, timeout=int(ACCOUNT_PAUSE.total_seconds()))
    if cache.incr(key) >= PAUSE_AFTER_FAILURES:
        cache.set(
            f"courier-paused:{account_id}",
            True,
            timeout=int(ACCOUNT_PAUSE.total_seconds()),
        )
        cache.delete(key)
        logger.warning(
            "courier account %s paused for %s after %s failed polls",
            account_id,
            ACCOUNT_PAUSE,
            PAUSE_AFTER_FAILURES,
            extra={"account_id": account_id},
        )


def _account_answered(account_id: int) -> None:
    cache.delete(f"courier-failures:{account_id}")


def _apply_alone(shipment, courier, update) -> bool | None:
    try:
        with transaction.atomic():
            return _apply_polled(shipment, courier, update)
    except Exception:
        logger.exception("applying the poll of shipment %s failed", shipment.pk)
        return None


def shipment_refresh(shipment_id: int) -> bool:
    """Ask the courier about one shipment now, for a person waiting on the answer
    (within the account's rate limit); whether its status changed. A courier that
    cannot answer raises TrackingRefreshFailed and changes nothing."""
    shipment, courier = _shipment_and_courier(shipment_id)
    if not rate_limit_take(shipment.account_id, courier.rate_limit_per_s):
        raise TrackingRefreshFailed(
            f"{shipment.account.name} is busy with other requests; try again in a "
            "moment."
        )
    try:
        update = courier.track(shipment.tracking_number)
    except ShipmentNotFound as exc:
        failed = TrackingRefreshFailed(
            f"{shipment.account.name} does not know {shipment.tracking_number} yet."
        )
        failed.http_status = 502
        raise failed from exc
    except CourierError as exc:
        failed = TrackingRefreshFailed(exc.message)
        failed.http_status = 503 if exc.retryable else 502
        raise failed from exc
    return _apply_polled(shipment, courier, update)


def _shipment_and_courier(shipment_id: int):
    shipment = Shipment.objects.select_related("account").get(pk=shipment_id)
    account = shipment.account
    return shipment, courier_for(account.courier, account.settings())


def _apply_polled(shipment: Shipment, courier, update) -> bool:
    changed = shipment_apply_update(shipment=shipment, update=update, source="poll")
    if courier.max_polls_per_day:
        # Quota guidance (DHL: 10 a shipment a day) beats the status's own interval.
        earliest = timezone.now() + timedelta(days=1) / courier.max_polls_per_day
        Shipment.objects.filter(pk=shipment.pk, next_poll_at__lt=earliest).update(
            next_poll_at=earliest
        )
    return changed


def _reschedule(shipment: Shipment, wait: timedelta, *, failed: bool = True) -> None:
    failures = shipment.poll_failures + 1 if failed else shipment.poll_failures
    Shipment.objects.filter(pk=shipment.pk).update(
        next_poll_at=timezone.now() + wait, poll_failures=failures
    )


def rate_limit_take(account_id: int, per_second: float) -> bool:
    """One request from the account's budget, shared by all workers. A rate below
    one a second (DHL: one in five seconds) counts over a longer window."""
    window = max(1.0, 1 / per_second)
    slot = int(timezone.now().timestamp() // window)
    key = f"courier-rate:{account_id}:{window}:{slot}"
    cache.add(key, 0, timeout=int(window) + 1)
    return cache.incr(key) <= max(1, int(per_second * window))


def shipments_flag_stuck(*, now=None) -> int:
    """Flag parcels with no news for SHIPMENT_STUCK_AFTER_HOURS; returns how many."""
    now = now or timezone.now()
    quiet_since = now - timedelta(hours=settings.SHIPMENT_STUCK_AFTER_HOURS)
    return (
        Shipment.objects.annotate(news_at=Coalesce("last_event_at", "created_at"))
        .filter(stuck=False, news_at__lt=quiet_since)
        .exclude(status__in=FINAL)
        .update(stuck=True)
    )


def shipments_failing_polls() -> dict[str, int]:
    """Shipments still polled whose last poll got no tracking (the courier was
    unavailable or hung, rate-limited us, or does not know the number yet), by
    courier; /metrics. The count lives in the rows, so every web process sees
    what every worker on any machine found."""
    return dict(
        Shipment.objects.filter(next_poll_at__isnull=False, poll_failures__gt=0)
        .values_list("account__courier")
        .annotate(count=Count("pk"))
        .order_by()
    )
