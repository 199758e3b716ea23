"""Redis calls that cannot hold a request: short timeouts, and a breaker per use.

Redis holds nothing that is only there: the cache (sign-in and polling rate
limits, a few locks), Celery's broker (tasks whose work a sweep also finds) and
the channel layer (live pushes; the change feed has the same news). So when Redis
stops answering, each use gives up after SOCKET_TIMEOUT and then skips Redis for
BREAK_SECONDS, degrading as docs/faults.md describes, instead of holding the
request (and with it one of the web process's threads) for as long as Redis is
away.
"""

import logging
import threading
import time

logger = logging.getLogger(__name__)

# How long one call to Redis may take before it counts as failed. Redis answers in
# well under a millisecond; half a second is a Redis that is not there.
SOCKET_TIMEOUT = 0.5
# After a failure, how long calls skip Redis before trying it again.
BREAK_SECONDS = 5.0

# redis-py errors, socket errors and kombu's OperationalError all derive from these.
try:
    from redis.exceptions import RedisError
except ImportError:  # pragma: no cover - redis is a dependency
    RedisError = OSError
REDIS_ERRORS = (RedisError, OSError, TimeoutError)


class Breaker:
    """Open for BREAK_SECONDS after a failure: callers skip Redis meanwhile."""

    def __init__(self, name: str):
        self.name = name
        self._open_until = 0.0
        self._error = ""
        self._lock = threading.Lock()

    @property
    def is_open(self) -> bool:
        return time.monotonic() < self._open_until

    def trip(self, exc: BaseException) -> None:
        with self._lock:
            first = not self.is_open
            self._open_until = time.monotonic() + BREAK_SECONDS
            self._error = f"{type(exc).__name__}: {exc}"[:200]
        if first:
            logger.warning(
                "Redis (%s) did not answer; going without it for %ss: %s",
                self.name,
                BREAK_SECONDS,
                self._error,
            )

    def attempt(self, call, *args, degraded=None, errors=REDIS_ERRORS):
        """`call(*args)`, unless the breaker is open; `degraded` then, or when the
        call fails with one of `errors` (which trips the breaker)."""
        if self.is_open:
            return degraded
        try:
            return call(*args)
        except errors as exc:
            self.trip(exc)
            return degraded

    def reset(self) -> None:
        with self._lock:
            self._open_until = 0.0
            self._error = ""

    def state(self) -> str:
        return f"degraded: {self._error}" if self.is_open else "ok"


cache = Breaker("cache")
broker = Breaker("broker")
channels = Breaker("channels")
BREAKERS = {"cache": cache, "broker": broker, "channels": channels}


def states() -> dict[str, str]:
    """What /healthz says of each use of Redis."""
    return {name: breaker.state() for name, breaker in BREAKERS.items()}
