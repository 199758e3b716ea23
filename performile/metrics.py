"""Prometheus metrics at /metrics, for the bearer of METRICS_TOKEN (docs/faults.md,
"Metrics").

Request durations are observed in each web process by RequestDurationMiddleware.
With PROMETHEUS_MULTIPROC_DIR set (`make run`, docker-compose) each process writes
them to files of its own in that directory, and a scrape sums the files of every
process, whichever one answers it. Unset (the tests, a single process) they stay
in the process.

The rest is read when Prometheus scrapes (PlatformCollector), with the timeouts
/healthz has, so nothing runs between scrapes: a Redis or a database that is away
costs a scrape at most those timeouts, its metrics are left out, and
performile_redis_up or performile_database_up says why.
"""

import hmac
import logging
import os
import time
from collections.abc import Callable, Iterable

from django.conf import settings
from django.db import connection, transaction
from django.http import Http404, HttpResponse
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily, Metric

from performile import broker, heartbeats, outbox, pending, redis_guard
from performile.health import check_database, check_redis

logger = logging.getLogger(__name__)

MULTIPROC_DIR = os.environ.get("PROMETHEUS_MULTIPROC_DIR", "")
if MULTIPROC_DIR:
    # prometheus_client writes there from the first request on: without the
    # directory every request would fail.
    os.makedirs(MULTIPROC_DIR, exist_ok=True)

REQUEST_SECONDS = Histogram(
    "performile_http_request_duration_seconds",
    "Time Django took to answer a request, by route, method and status class.",
    ["route", "method", "status"],
    registry=None,
)
# Anything else a client sends is "other": labels never take a client's words.
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
# A scrape's queries give up after this long (the index scans take milliseconds).
STATEMENT_TIMEOUT_MS = 2000

Source = Callable[[], Iterable[Metric]]
_sources: list[Source] = []


def register(source: Source) -> None:
    """Metrics a higher app reads from the database at scrape time (shipments:
    failing polls); each source runs under the scrape's statement timeout."""
    if source not in _sources:
        _sources.append(source)


def scrape(request):
    """The metrics, or 404 for anyone without the token (and for everyone when
    METRICS_TOKEN is unset)."""
    if not _authorized(request):
        raise Http404
    return HttpResponse(generate_latest(_registry()), content_type=CONTENT_TYPE_LATEST)


def _authorized(request) -> bool:
    token = settings.METRICS_TOKEN
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    return (
        bool(token)
        and scheme.lower() == "bearer"
        and hmac.compare_digest(given.strip().encode(), token.encode())
    )


def _registry() -> CollectorRegistry:
    registry = CollectorRegistry()
    if MULTIPROC_DIR:
        multiprocess.MultiProcessCollector(registry, path=MULTIPROC_DIR)
    else:
        registry.register(REQUEST_SECONDS)
    registry.register(PlatformCollector())
    return registry


class RequestDurationMiddleware:
    """First in MIDDLEWARE, so the time of every other middleware counts. Django
    middleware rather than an ASGI wrapper: the route label needs Django's URL
    resolution, and the time a client takes to send its body (read beforehand,
    performile.asgi_body) is the client's, not ours."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        REQUEST_SECONDS.labels(
            _route(request),
            request.method if request.method in METHODS else "other",
            f"{response.status_code // 100}xx",
        ).observe(time.perf_counter() - started)
        return response


def _route(request) -> str:
    """The URL pattern's name (its view's dotted path when it has none): never the
    path, whose ids and typos would make a series each."""
    if (match := getattr(request, "resolver_match", None)) is not None:
        return match.view_name
    if request.path.startswith(settings.STATIC_URL):
        return "static"
    return "unmatched"


class PlatformCollector:
    """What /healthz checks, and the backlogs, read at scrape time."""

    def collect(self) -> Iterable[Metric]:
        redis_up = check_redis() == "ok"
        database_up = check_database() == "ok"
        yield gauge("performile_database_up", "1 when PostgreSQL answers.", database_up)
        yield gauge("performile_redis_up", "1 when Redis answers a ping.", redis_up)
        yield gauges(
            "performile_redis_degraded",
            "1 while this use of Redis goes without it after a failure, in the"
            " web process that answered the scrape.",
            "use",
            {use: state != "ok" for use, state in redis_guard.states().items()},
        )
        if redis_up:
            yield from _read(_workers)
        if database_up:
            for source in (_outbox, _pending, *_sources):
                yield from _read(_bounded(source))


def gauge(name: str, documentation: str, value: float) -> GaugeMetricFamily:
    return GaugeMetricFamily(name, documentation, value=float(value))


def gauges(
    name: str, documentation: str, label: str, values: dict
) -> GaugeMetricFamily:
    """One sample per label value; a value of None is left out (not known)."""
    family = GaugeMetricFamily(name, documentation, labels=[label])
    for key, value in values.items():
        if value is not None:
            family.add_metric([key], float(value))
    return family


def _read(source: Source) -> list[Metric]:
    try:
        return list(source())
    except Exception:  # noqa: BLE001 - left out of this scrape, and logged
        logger.warning("metrics: %s could not be read", source.__name__, exc_info=True)
        return []


def _bounded(source: Source) -> Source:
    def bounded():
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "SELECT set_config('statement_timeout', %s, true)",
                [str(STATEMENT_TIMEOUT_MS)],
            )
            return list(source())

    bounded.__name__ = source.__name__
    return bounded


def _workers() -> Iterable[Metric]:
    ages, _late = heartbeats.report()
    yield gauges(
        "performile_worker_heartbeat_age_seconds",
        "Seconds since a worker of this queue last answered a heartbeat (absent:"
        " none ever did).",
        "queue",
        ages,
    )
    if isinstance(depths := broker.queue_depths(settings.WORKER_QUEUES), dict):
        yield gauges(
            "performile_queue_depth", "Tasks waiting in this queue.", "queue", depths
        )


def _outbox() -> Iterable[Metric]:
    waiting = outbox.backlog()
    yield gauges(
        "performile_outbox_backlog_messages",
        "Outbound messages not sent yet (queued, waiting for a retry, or sending).",
        "channel",
        {channel: count for channel, (count, _) in waiting.items()},
    )
    yield gauges(
        "performile_outbox_backlog_oldest_seconds",
        "Seconds since the oldest message not sent yet was queued (0: none).",
        "channel",
        {channel: oldest for channel, (_, oldest) in waiting.items()},
    )


def _pending() -> Iterable[Metric]:
    """/healthz's `pending`: work waiting in tables, by kind (performile.pending)."""
    waiting, _late = pending.report()
    yield gauges(
        "performile_pending_items",
        "Items of this kind waiting to be done (docs/faults.md, /healthz).",
        "kind",
        {kind: row["pending"] for kind, row in waiting.items()},
    )
    yield gauges(
        "performile_pending_oldest_seconds",
        "Seconds the oldest waiting item of this kind has waited past its due time.",
        "kind",
        {kind: row["oldest_seconds"] for kind, row in waiting.items()},
    )
