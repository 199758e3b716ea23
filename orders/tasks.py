"""Celery tasks of the orders app: load ids, call a service."""

import logging

from celery import shared_task
from django.core.cache import cache

from orders import reconcile
from orders.models import Store
from orders.selectors import store_list_due_for_reconcile

logger = logging.getLogger(__name__)
# A store's catch-up may take this long (a first one fetches a week of orders); the
# shop's pages and the per-order upserts are what take the time.
RECONCILE_SOFT_LIMIT = 15 * 60
RECONCILE_LIMIT = RECONCILE_SOFT_LIMIT + 60


@shared_task(soft_time_limit=50, time_limit=60)
def stores_reconcile_due():
    """One task per store that is due, so a slow or failing shop holds up no other."""
    for store_id in store_list_due_for_reconcile():
        store_reconcile.delay(store_id)


@shared_task(soft_time_limit=RECONCILE_SOFT_LIMIT, time_limit=RECONCILE_LIMIT)
def store_reconcile(store_id: int):
    # While a run goes on, beat's next ticks find the store still due: they skip it.
    # The lock outlives a run killed at the hard limit only until its timeout.
    lock = f"orders:store-reconcile:{store_id}"
    if not cache.add(lock, 1, timeout=RECONCILE_LIMIT + 60):
        logger.info("store %s is being caught up already", store_id)
        return
    try:
        store = Store.objects.filter(pk=store_id).first()
        if store is None:
            return
        result = reconcile.store_reconcile(store=store)
        if result.error:
            logger.error(
                "scheduled catch-up of store %s failed: %s",
                store_id,
                result.error,
                extra={"store_id": store_id},
            )
    finally:
        cache.delete(lock)
