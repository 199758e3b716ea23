"""Catching up with a webshop: the order changes its webhooks missed, fetched from
its API (orders.ingestion.fetch) and applied through the webhooks' own parser and
service, so identity, staleness and money follow the webhooks' rules.

The management command `webshop_reconcile` and the scheduled task
`orders.tasks.store_reconcile` both call `store_reconcile`. docs/webhooks.md,
"Catching up", is the user's side of this.
"""

import logging
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from celery.exceptions import SoftTimeLimitExceeded
from django.db import InterfaceError, OperationalError, transaction
from django.db.models import Q
from django.utils import timezone

from orders.ingestion import fetch, shopify, woocommerce
from orders.models import Source, Store
from orders.services import order_upsert_from_webshop
from performile.webhooks import MalformedPayload

logger = logging.getLogger(__name__)

# Where a store that was never caught up starts.
FIRST_LOOKBACK = timedelta(days=7)
# A catch-up from the last one starts this much earlier: the shop's clock may be
# behind ours, and its API may list a change a moment after it was made. Orders
# read twice are counted unchanged.
OVERLAP = timedelta(minutes=2)
# Errors of the database itself (connection lost, a deadlock) stop the run rather
# than count against one order: the run is not caught up, and the next one retries.
STOPPING = (OperationalError, InterfaceError)
PARSERS = {
    Source.SHOPIFY: shopify.parse_order,
    Source.WOOCOMMERCE: woocommerce.parse_order,
}


@dataclass
class ReconcileResult:
    """What one catch-up of one store did; order ids are the shop's own."""

    store: Store
    since: datetime
    started_at: datetime
    dry_run: bool = False
    fetched: int = 0
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    # Stale (we hold a newer version) or nothing new in it.
    unchanged: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    # Set when the shop's API could not be read: the run stopped there.
    error: str = ""

    @property
    def counts(self) -> dict[str, int]:
        return {
            "fetched": self.fetched,
            "created": len(self.created),
            "updated": len(self.updated),
            "unchanged": len(self.unchanged),
            "failed": len(self.failed),
        }


def store_reconcile(
    *,
    store: Store,
    since: datetime | None = None,
    dry_run: bool = False,
    wait: fetch.Wait = time.sleep,
) -> ReconcileResult:
    """Fetch the store's orders changed since `since` (default: its last catch-up,
    less OVERLAP, or a week back) and apply each one as its webhook would have
    been. One order that fails is counted and the run goes on. When the whole
    fetch succeeded, the store's `reconciled_at` becomes the moment it started.

    A dry run applies each order in a transaction that is rolled back: the counts
    are what a real run would do, and nothing is written or sent.
    """
    started_at = timezone.now()
    result = ReconcileResult(
        store=store,
        since=since or _since_last(store, started_at),
        started_at=started_at,
        dry_run=dry_run,
    )
    try:
        for page in fetch.order_pages(store, result.since, wait=wait):
            for payload in page:
                result.fetched += 1
                _apply(store, payload, result)
    except fetch.FetchError as exc:
        return _stopped(result, str(exc))
    except STOPPING as exc:
        return _stopped(result, f"The database failed ({exc}); the rest waits.")
    if not dry_run:
        store_mark_reconciled(store=store, at=started_at)
    logger.info(
        "store %s caught up since %s",
        store.pk,
        result.since.isoformat(),
        extra={"store_id": store.pk, "dry_run": dry_run, "counts": result.counts},
    )
    return result


def _stopped(result: ReconcileResult, error: str) -> ReconcileResult:
    result.error = error
    logger.warning(
        "catching up store %s stopped: %s",
        result.store.pk,
        error,
        extra={"store_id": result.store.pk, "counts": result.counts},
    )
    return result


def _since_last(store: Store, now: datetime) -> datetime:
    if store.reconciled_at is None:
        return now - FIRST_LOOKBACK
    return store.reconciled_at - OVERLAP


def _apply(store: Store, payload, result: ReconcileResult) -> None:
    order_id = str(payload.get("id", "?")) if isinstance(payload, dict) else "?"
    try:
        outcome = _upsert(store, payload, dry_run=result.dry_run)
    except (SoftTimeLimitExceeded, *STOPPING):
        raise
    except Exception as exc:  # one bad order never stops the others
        logger.exception(
            "order %s of store %s could not be applied",
            order_id,
            store.pk,
            extra={"store_id": store.pk},
        )
        result.failed.append((order_id, str(exc) or type(exc).__name__))
    else:
        getattr(result, outcome).append(order_id)


def _upsert(store: Store, payload, *, dry_run: bool) -> str:
    if not isinstance(payload, dict):
        raise MalformedPayload("The order is not a JSON object.")
    incoming = PARSERS[store.platform](payload, default_currency=store.currency)
    label = f"{store.get_platform_display()} (catch-up)"
    with transaction.atomic():
        _order, outcome = order_upsert_from_webshop(
            store=store, incoming=incoming, actor_label=label
        )
        if dry_run:
            transaction.set_rollback(True)
    return outcome


def store_mark_reconciled(*, store: Store, at: datetime) -> None:
    """Caught up to `at`. Only ever forward: a slower run that started earlier
    never moves it back."""
    Store.objects.filter(
        Q(reconciled_at=None) | Q(reconciled_at__lt=at), pk=store.pk
    ).update(reconciled_at=at)
    if store.reconciled_at is None or store.reconciled_at < at:
        store.reconciled_at = at
