from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse

from performile import broker, heartbeats, pending, redis_guard


def healthz(request):
    """Can we reach PostgreSQL and Redis, do beat and the workers of every queue
    answer, and how much work waits, for how long (docs/faults.md)? 503 when any
    of it is wrong."""
    checks = {"database": check_database, "redis": check_redis}
    results = {name: check() for name, check in checks.items()}
    workers, workers_late = _workers() if results["redis"] == "ok" else ({}, False)
    waiting, waiting_late = (
        _pending() if results["database"] == "ok" else ("unknown", [])
    )
    healthy = (
        all(value == "ok" for value in results.values())
        and not workers_late
        and not waiting_late
    )
    body = {
        "status": "ok" if healthy else "degraded",
        **results,
        # Seconds since beat last ticked and each queue's workers last answered
        # (None: never here).
        "workers": workers,
        "queued": broker.queue_depths(settings.WORKER_QUEUES)
        if results["redis"] == "ok"
        else "unknown",
        # Work waiting in tables, by kind: how many, and the oldest one's wait.
        "pending": waiting,
    }
    if waiting_late:
        body["late"] = waiting_late
    # Uses of Redis running without it since a recent failure (docs/faults.md).
    if degraded := {
        use: state for use, state in redis_guard.states().items() if state != "ok"
    }:
        body["without_redis"] = degraded
    return JsonResponse(body, status=200 if healthy else 503)


def _workers() -> tuple[dict, bool]:
    try:
        return heartbeats.report()
    except Exception as exc:  # noqa: BLE001 - reported, not raised
        return {"error": type(exc).__name__}, False


def check_database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return "ok"
    except Exception as exc:  # noqa: BLE001 - reported, not raised
        return f"error: {type(exc).__name__}"


def _pending() -> tuple[dict | str, list[str]]:
    try:
        return pending.report()
    except Exception as exc:  # noqa: BLE001 - reported, not raised
        return f"error: {type(exc).__name__}", []


def check_redis() -> str:
    try:
        cache._cache.get_client(write=True).ping()
        return "ok"
    except Exception as exc:  # noqa: BLE001 - reported, not raised
        return f"error: {type(exc).__name__}"
