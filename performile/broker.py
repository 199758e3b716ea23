"""Queueing Celery tasks from a request without ever waiting on the broker.

`enqueue(task, *args)` publishes over a connection pool of its own whose sockets
give up after redis_guard.SOCKET_TIMEOUT, without Celery's publish retries; when
the broker cannot take the task (Redis stopped, stalled, unreachable) it logs, trips
the broker's breaker and returns False. The caller's change stands: every task
queued this way has a sweep that finds its work later (docs/faults.md lists them).
Workers keep Celery's own connections, whose long waits are theirs to make.
"""

import logging
import threading

from celery import current_app

from performile import redis_guard

logger = logging.getLogger(__name__)

POOL_LIMIT = 10

_pool = None
_pool_lock = threading.Lock()


def enqueue(task, *args) -> bool:
    """Queue `task(*args)`; False when the broker cannot take it now."""
    if current_app.conf.task_always_eager:
        task.apply_async(args)
        return True

    def publish() -> bool:
        with _acquire() as connection:
            task.apply_async(args, connection=connection, retry=False)
        return True

    queued = redis_guard.broker.attempt(publish, degraded=False, errors=Exception)
    if not queued:
        logger.warning("%s%r not queued; its sweep will find it", task.name, args)
    return queued


def queue_depths(queues) -> dict[str, int] | str:
    """How many tasks wait in each queue (Redis lists named after the queues)."""

    def count() -> dict[str, int]:
        with _acquire() as connection:
            client = connection.default_channel.client
            return {queue: client.llen(queue) for queue in queues}

    return redis_guard.broker.attempt(
        count, degraded="unknown: the broker is not answering", errors=Exception
    )


def _acquire():
    return _connections().acquire(block=True, timeout=redis_guard.SOCKET_TIMEOUT)


def _connections():
    global _pool
    with _pool_lock:
        if _pool is None:
            timeout = redis_guard.SOCKET_TIMEOUT
            connection = current_app.connection_for_write(
                connect_timeout=timeout,
                transport_options={
                    "socket_timeout": timeout,
                    "socket_connect_timeout": timeout,
                    "max_retries": 0,
                },
            )
            _pool = connection.Pool(limit=POOL_LIMIT)
        return _pool


def reset() -> None:
    """Forget the pool (after the broker's URL changed; the tests)."""
    global _pool
    with _pool_lock:
        if _pool is not None:
            _pool.force_close_all()
        _pool = None
