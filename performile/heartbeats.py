"""Worker heartbeats, for /healthz (docs/faults.md).

Beat sends `performile.tasks.heartbeat(queue)` to every queue every 30 s; the worker
that takes it records the time. So /healthz can tell how long ago each kind of work
last had a worker answering (dead, starved or never started). Beat records its own
ticks (performile.beat.Scheduler; at least every 15 s), so a dead beat is told apart
from dead workers.
"""

import time

from django.conf import settings
from django.core.cache import cache

INTERVAL_SECONDS = 30.0
STALE_AFTER_SECONDS = 180.0
KEY = "heartbeat:{}"
BEAT = "beat"


def record(queue: str) -> None:
    cache.set(KEY.format(queue), time.time(), timeout=None)


def report() -> tuple[dict, bool]:
    """({"beat" or queue: seconds since beat ticked or the queue's workers last
    answered, or None if never}, whether any is late). One never seen here is
    reported, not failed: a web process may run without workers (a bench, a
    one-off)."""
    now = time.time()
    names = (BEAT, *settings.WORKER_QUEUES)
    seen = cache.get_many([KEY.format(name) for name in names])
    ages = {}
    for name in names:
        at = seen.get(KEY.format(name))
        ages[name] = None if at is None else round(now - at, 1)
    late = any(age is not None and age > STALE_AFTER_SECONDS for age in ages.values())
    return ages, late
