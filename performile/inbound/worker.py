"""The applier process: drain what is due, then wait for a NOTIFY."""

from django.db import connection

from performile.inbound.applying import (
    BATCH_SIZE,
    CHANNEL,
    DELIVERIES,
    EVENTS,
    apply_batch,
)


def run(
    *,
    size: int = BATCH_SIZE,
    idle: float = 5.0,
    stop=lambda: False,
    kinds: tuple[str, ...] = (DELIVERIES, EVENTS),
) -> None:
    """Apply rows of `kinds` until `stop()`: drain what is due, then wait for a
    NOTIFY (or `idle` seconds, for rows whose backoff has run out)."""
    import psycopg

    listener = psycopg.connect(**_listener_params(), autocommit=True)
    listener.execute(f"LISTEN {CHANNEL}")
    try:
        while not stop():
            while apply_batch(size, kinds=kinds) and not stop():
                pass
            connection.close()  # back to the pool while idle
            _wait(listener, idle)
    finally:
        listener.close()


def _wait(listener, idle: float) -> None:
    for _notify in listener.notifies(timeout=idle, stop_after=1):
        pass


def _listener_params() -> dict:
    params = connection.get_connection_params()
    for name in ("cursor_factory", "context", "prepare_threshold"):
        params.pop(name, None)
    return params
