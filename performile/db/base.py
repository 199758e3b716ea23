"""Django's PostgreSQL backend, with a pool that checks connections cheaply and
answers at once while the database is away.

With CONN_HEALTH_CHECKS, Django has psycopg's pool try every connection (an empty
query, a round trip) before handing it out: no request gets a connection that a
restart of PostgreSQL has closed. Done on every request, that cost the webhook door
0.8 ms of its 3.5 ms of CPU (docs/bench.md). A connection in steady use is alive,
so here it is tried only when it has not been for CHECK_AFTER_SECONDS; after a
restart, requests that find a dead connection in that window are answered 503
(performile.unavailable) and the pool replaces it.

While the database is away (the pool's last attempt to connect failed, none has
succeeded since) and the pool has no connection ready, a request is refused at once
instead of waiting the pool's timeout for a connection that cannot come. The pool
keeps trying in the background, every second rather than with psycopg's doubling
backoff, so the platform is back within about a second of the database.
"""

import time

import psycopg
from django.db.backends.postgresql import base
from psycopg_pool import ConnectionPool
from psycopg_pool.base import AttemptWithBackoff

CHECK_AFTER_SECONDS = 2.0
# psycopg-pool is pinned: its reconnection attempts wait 1 s, then 2, 4, 8...
# so a 20 s outage used to keep the platform down another 11 s after it ended.
AttemptWithBackoff.DELAY_BACKOFF = 1.0


def check_when_idle(conn) -> None:
    now = time.monotonic()
    if now - getattr(conn, "_performile_checked_at", 0.0) > CHECK_AFTER_SECONDS:
        ConnectionPool.check_connection(conn)
    conn._performile_checked_at = now


class Outage:
    """What a pool's attempts to connect say: since when the database refuses."""

    def __init__(self):
        self.since: float | None = None

    def watch(self, connect):
        def connect_and_record(*args, **kwargs):
            try:
                conn = connect(*args, **kwargs)
            except Exception:
                self.since = self.since or time.monotonic()
                raise
            self.since = None
            return conn

        return connect_and_record


class DatabaseWrapper(base.DatabaseWrapper):
    @property
    def pool(self):
        pool = super().pool
        if pool is not None and not hasattr(pool, "_performile_outage"):
            pool._check = check_when_idle
            pool._performile_outage = Outage()
            pool._connect = pool._performile_outage.watch(pool._connect)
        return pool

    def get_new_connection(self, conn_params):
        pool = self.pool
        outage = pool._performile_outage if pool is not None else None
        if outage and outage.since and not pool.get_stats().get("pool_available"):
            raise psycopg.OperationalError(
                "The database refuses connections (for "
                f"{time.monotonic() - outage.since:.0f} s); not waiting for one."
            )
        return super().get_new_connection(conn_params)
