from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse

from performile import inbound, redis_guard


def healthz(request):
    """Liveness and readiness: can we reach PostgreSQL and Redis?"""
    checks = {"database": _check_database, "redis": _check_redis}
    results = {name: check() for name, check in checks.items()}
    healthy = all(value == "ok" for value in results.values())
    body = {"status": "ok" if healthy else "degraded", **results, "inbound": _inbound()}
    # Uses of Redis running without it since a recent failure (docs/faults.md).
    if degraded := {
        use: state for use, state in redis_guard.states().items() if state != "ok"
    }:
        body["without_redis"] = degraded
    return JsonResponse(body, status=200 if healthy else 503)


def _check_database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return "ok"
    except Exception as exc:  # noqa: BLE001 - reported, not raised
        return f"error: {type(exc).__name__}"


def _inbound() -> dict | str:
    """Deliveries waiting to be applied: a growing backlog means no applier runs."""
    try:
        return inbound.backlog()
    except Exception as exc:  # noqa: BLE001 - reported, not raised
        return f"error: {type(exc).__name__}"


def _check_redis() -> str:
    try:
        cache._cache.get_client(write=True).ping()
        return "ok"
    except Exception as exc:  # noqa: BLE001 - reported, not raised
        return f"error: {type(exc).__name__}"
