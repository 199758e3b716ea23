"""The closed days' figures, kept for a few minutes.

The dashboard's 30 days are 29 closed days and today. The closed days' aggregates
(orders and revenue per day, parcels delivered per day, first responses per day,
and the 30 days' median first response) change only when an old record is edited,
and they are most of the page's database time (docs/bench.md, dashboard). They are
kept in the cache for the rest of a HISTORY_SECONDS slot, per reach (what the user
may see: everyone with the same reach shares them), time zone and day; today's
figures, the reasons for action, the parcels in trouble, unread conversations and
overdue invoices are read live on every view. Without Redis nothing is kept and
everything is read live (`performile.cache`).
"""

import hashlib

from django.core.cache import cache
from django.utils import timezone

from orders.access import reaches

# How long the closed days' figures are kept (the slot they were read in).
HISTORY_SECONDS = 600


def kept(user, parts: tuple, compute):
    """`compute()`'s value for the user's reach and `parts`, as kept in this
    slot, or computed now (and kept)."""
    slot = int(timezone.now().timestamp() // HISTORY_SECONDS)
    reach = sorted(repr(found) for found in reaches(user))
    digest = hashlib.sha256(repr((reach, parts, slot)).encode()).hexdigest()
    key = f"dashboard:history:{digest}"
    found = cache.get(key)
    if found is None:
        found = compute()
        cache.set(key, found, HISTORY_SECONDS)
    return found
