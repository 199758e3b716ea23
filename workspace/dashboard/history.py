"""The closed days' figures, kept for the day and refreshed in the background.

The dashboard's 30 days are 29 closed days and today. The closed days' aggregates
(orders and revenue per day, parcels delivered per day, first responses per day,
and the 30 days' median first response) change only when an old record is edited,
and they are most of the page's database time (docs/bench.md, dashboard). They are
kept in the cache per reach (what the user may see: everyone with the same reach
shares them), time zone and day. A view that finds them older than FRESH_SECONDS
still shows them, and has them computed again in the background
(`workspace.tasks.dashboard_history_refresh`; one view at a time asks); only the
first view of a day computes them while the user waits, and a view that finds them
an hour old (the refresh never came: no worker) computes them too. Today's figures, the
reasons for action, parcels in trouble, unread conversations and overdue invoices
are read live on every view. Without Redis nothing is kept and everything is read
live (`performile.cache`).
"""

import hashlib

from django.core.cache import cache
from django.utils import timezone

from orders.access import reaches

# Kept figures older than this are computed again (in the background).
FRESH_SECONDS = 600
# How long they are kept at most: the key names the day, so a day's are done then.
KEEP_SECONDS = 26 * 3600
# While a refresh is asked for, other views do not ask again (a lost task is asked
# for again after this).
REFRESH_LOCK_SECONDS = 120
# Kept figures this old are computed again while the user waits: the background
# refresh has not come (no worker is taking the tasks).
STALE_LIMIT_SECONDS = 3600


def kept(user, parts: tuple, compute) -> tuple[dict, float, bool]:
    """`compute()`'s value for the user's reach and `parts` as kept (computed now
    and kept when nothing is), when it was computed (a timestamp), and whether the
    caller should have it computed again (it is older than FRESH_SECONDS, and no
    other view asked for that yet)."""
    key = _key(user, parts)
    found = cache.get(key)
    now = timezone.now().timestamp()
    if found is None or now - found["at"] >= STALE_LIMIT_SECONDS:
        value = compute()
        return value, keep(user, parts, value), False
    age = now - found["at"]
    stale = age >= FRESH_SECONDS and cache.add(
        f"{key}:refresh", 1, REFRESH_LOCK_SECONDS
    )
    return found["value"], found["at"], stale


def keep(user, parts: tuple, value: dict) -> float:
    """Keep `value` for the user's reach and `parts`; when (a timestamp)."""
    at = timezone.now().timestamp()
    cache.set(_key(user, parts), {"at": at, "value": value}, KEEP_SECONDS)
    return at


def _key(user, parts: tuple) -> str:
    reach = sorted(repr(found) for found in reaches(user))
    digest = hashlib.sha256(repr((reach, parts)).encode()).hexdigest()
    return f"dashboard:history:{digest}"
