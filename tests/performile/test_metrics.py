"""/metrics: Prometheus metrics for the bearer of METRICS_TOKEN, read at scrape
time (performile.metrics, docs/faults.md)."""

import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import httpx
import pytest
import time_machine
from django.conf import settings as django_settings
from django.core.cache import cache
from django.db import connection
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from performile import inbound, outbox
from performile.tasks import heartbeat
from shipments import polling
from tests.factories import OrderFactory
from tests.servers import WebServer
from tests.shipments.factories import ShipmentFactory

pytestmark = pytest.mark.django_db
TOKEN = "scrape-token-for-tests"
AUTHORIZED = {"HTTP_AUTHORIZATION": f"Bearer {TOKEN}"}
PLATFORM_METRICS = {
    "performile_http_request_duration_seconds",
    "performile_database_up",
    "performile_redis_up",
    "performile_redis_degraded",
    "performile_worker_heartbeat_age_seconds",
    "performile_queue_depth",
    "performile_outbox_backlog_messages",
    "performile_outbox_backlog_oldest_seconds",
    "performile_pending_items",
    "performile_pending_oldest_seconds",
    "performile_poll_failing_shipments",
}


@pytest.fixture
def token(settings):
    settings.METRICS_TOKEN = TOKEN


def scrape(client) -> dict:
    """{metric name: {((label, value), ...) of a sample: value}}, samples of a
    histogram under their own names (..._count, ..._bucket)."""
    response = client.get("/metrics", **AUTHORIZED)
    assert response.status_code == 200
    return parse(response.content.decode())


def parse(text: str) -> dict:
    metrics: dict = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            labels = tuple(sorted(sample.labels.items()))
            metrics.setdefault(sample.name, {})[labels] = sample.value
    return metrics


def value(metrics: dict, name: str, **labels) -> float | None:
    return metrics.get(name, {}).get(tuple(sorted(labels.items())))


def requests_of(metrics: dict, route: str, status: str = "2xx") -> float:
    count = "performile_http_request_duration_seconds_count"
    return value(metrics, count, route=route, method="GET", status=status) or 0


@pytest.mark.parametrize(
    "authorization",
    [None, "Bearer wrong-token", f"Basic {TOKEN}", f"Bearer {TOKEN}x", "Bearer "],
)
def test_metrics_are_not_found_without_the_token(client, token, authorization):
    headers = {"HTTP_AUTHORIZATION": authorization} if authorization else {}
    assert client.get("/metrics", **headers).status_code == 404


def test_metrics_are_off_when_no_token_is_configured(client, settings):
    settings.METRICS_TOKEN = ""
    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer ").status_code == 404


def test_the_token_gets_every_metric_in_prometheus_text_format(client, token):
    client.get("/healthz")
    response = client.get("/metrics", **AUTHORIZED)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=")
    names = {
        family.name
        for family in text_string_to_metric_families(response.content.decode())
    }
    assert names >= PLATFORM_METRICS
    metrics = parse(response.content.decode())
    assert value(metrics, "performile_database_up") == 1
    assert value(metrics, "performile_redis_up") == 1
    assert value(metrics, "performile_redis_degraded", use="cache") == 0
    for queue in django_settings.WORKER_QUEUES:
        assert value(metrics, "performile_queue_depth", queue=queue) is not None


def test_a_request_counts_in_its_routes_latency_histogram(client, token):
    before = scrape(client)

    client.get("/healthz")
    client.get("/no-such-page/12345")

    after = scrape(client)
    assert requests_of(after, "healthz") == requests_of(before, "healthz") + 1
    assert requests_of(after, "unmatched", "4xx") == (
        requests_of(before, "unmatched", "4xx") + 1
    )
    # The route is the pattern's name, never the path.
    routes = {
        dict(labels)["route"]
        for labels in after["performile_http_request_duration_seconds_count"]
    }
    assert not any("no-such-page" in route for route in routes)


def test_worker_heartbeats_are_ages_per_queue(client, token):
    cache.delete_many([f"heartbeat:{q}" for q in django_settings.WORKER_QUEUES])
    heartbeat("polling")

    with time_machine.travel(timezone.now() + timedelta(seconds=90)):
        metrics = scrape(client)

    age = value(metrics, "performile_worker_heartbeat_age_seconds", queue="polling")
    assert 89 < age < 120
    # A queue no worker ever answered has no age rather than a made-up one.
    assert (
        value(metrics, "performile_worker_heartbeat_age_seconds", queue="documents")
        is None
    )


def test_the_outbox_backlog_counts_messages_not_sent_yet(client, token):
    outbox.enqueue(channel="email", recipient="eva@example.com", body="Hello Eva")

    with time_machine.travel(timezone.now() + timedelta(minutes=10)):
        metrics = scrape(client)

    assert value(metrics, "performile_outbox_backlog_messages", channel="email") == 1
    assert value(metrics, "performile_outbox_backlog_messages", channel="sms") == 0
    oldest = value(metrics, "performile_outbox_backlog_oldest_seconds", channel="email")
    assert 600 <= oldest < 700


def test_pending_inbound_deliveries_and_the_applier_lag(client, token):
    delivery = inbound.enqueue(
        provider="shopify", delivery_id="d-1", entity="order:1", body=b"{}"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE performile_inbounddelivery"
            " SET available_at = now() - interval '5 minutes' WHERE id = %s",
            [delivery],
        )

    metrics = scrape(client)

    assert value(metrics, "performile_pending_items", kind="inbound") == 1
    oldest = value(metrics, "performile_pending_oldest_seconds", kind="inbound")
    assert 300 <= oldest < 400


def test_a_failed_poll_counts_its_shipment_as_failing(client, token):
    # The factory's courier account points at a port nobody listens on.
    shipment = ShipmentFactory(
        order=OrderFactory(), next_poll_at=timezone.now() - timedelta(minutes=1)
    )
    assert value(scrape(client), "performile_poll_failing_shipments") is None

    assert polling.shipments_poll(polling.shipments_claim_due()) == {"unavailable": 1}

    metrics = scrape(client)
    courier = shipment.account.courier
    assert value(metrics, "performile_poll_failing_shipments", courier=courier) == 1


def test_a_stalled_redis_does_not_hold_the_scrape(client, token, redis):
    redis.stall()

    started = time.monotonic()
    metrics = scrape(client)

    assert time.monotonic() - started < 3.0
    assert value(metrics, "performile_redis_up") == 0
    assert value(metrics, "performile_database_up") == 1
    assert "performile_queue_depth" not in metrics
    assert value(metrics, "performile_outbox_backlog_messages", channel="email") == 0


def test_latencies_of_every_web_process_are_in_each_scrape(tmp_path):
    """Under uvicorn with two worker processes, whichever one answers a scrape
    counts the requests both of them served (PROMETHEUS_MULTIPROC_DIR)."""
    with WebServer(
        workers=2,
        env={
            "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "prometheus"),
            "METRICS_TOKEN": TOKEN,
        },
        ready_path="/metrics",
    ) as url:
        with ThreadPoolExecutor(8) as pool:
            answers = list(pool.map(lambda _: httpx.get(f"{url}/healthz"), range(40)))
        assert {answer.status_code for answer in answers} == {200}

        for _ in range(6):
            response = httpx.get(
                f"{url}/metrics", headers={"Authorization": f"Bearer {TOKEN}"}
            )
            assert requests_of(parse(response.text), "healthz") == 40
    assert list((tmp_path / "prometheus").glob("histogram_*.db"))
