"""Django's PostgreSQL backend, with a pool that checks connections cheaply.

With CONN_HEALTH_CHECKS, Django has psycopg's pool try every connection (an empty
query, a round trip) before handing it out: no request gets a connection that a
restart of PostgreSQL has closed. Done on every request, that cost the webhook door
0.8 ms of its 3.5 ms of CPU (docs/bench.md). A connection in steady use is alive,
so here it is tried only when it has not been for CHECK_AFTER_SECONDS; after a
restart, requests that find a dead connection in that window are answered 503
(performile.unavailable) and the pool replaces it.
"""

import time

from django.db.backends.postgresql import base
from psycopg_pool import ConnectionPool

CHECK_AFTER_SECONDS = 2.0


def check_when_idle(conn) -> None:
    now = time.monotonic()
    if now - getattr(conn, "_performile_checked_at", 0.0) > CHECK_AFTER_SECONDS:
        ConnectionPool.check_connection(conn)
    conn._performile_checked_at = now


class DatabaseWrapper(base.DatabaseWrapper):
    @property
    def pool(self):
        pool = super().pool
        if pool is not None and pool._check is ConnectionPool.check_connection:
            pool._check = check_when_idle
        return pool
