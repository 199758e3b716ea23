"""Worker heartbeats, for /healthz (docs/faults.md).

Beat sends `performile.tasks.heartbeat(queue)` to every queue every 30 s; the worker
that takes it records the time. So /healthz can tell how long ago each kind of work
last had a worker answering (dead, starved or never started), and whether beat
still sends: when every queue is late at once, beat is the likely one.
"""

import time

from django.conf import settings
from django.core.cache import cache

INTERVAL_SECONDS = 30.0
STALE_AFTER_SECONDS = 180.0
KEY = "heartbeat:{}"


def record(queue: str) -> None:
    cache.set(KEY.format(queue), time.time(), timeout=None)


def report() -> tuple[dict, bool]:
    """({queue: seconds since its workers last answered, or None if never}, whether
    any is late). A queue no worker ever answered here is reported, not failed: a
    web process may run without workers (a bench, a one-off)."""
    now = time.time()
    seen = cache.get_many([KEY.format(queue) for queue in settings.WORKER_QUEUES])
    ages = {}
    for queue in settings.WORKER_QUEUES:
        at = seen.get(KEY.format(queue))
        ages[queue] = None if at is None else round(now - at, 1)
    late = any(age is not None and age > STALE_AFTER_SECONDS for age in ages.values())
    return ages, late
