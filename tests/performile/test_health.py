import contextlib
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from performile.celery import app as celery_app
from performile.tasks import heartbeat


@pytest.fixture
def no_heartbeats():
    cache.delete_many(
        [f"heartbeat:{name}" for name in ("beat", *settings.WORKER_QUEUES)]
    )


@pytest.mark.django_db
def test_healthz_reports_database_redis_workers_and_queues(client, no_heartbeats):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert {key: body[key] for key in ("status", "database", "redis")} == {
        "status": "ok",
        "database": "ok",
        "redis": "ok",
    }
    nothing = {"pending": 0, "oldest_seconds": 0.0}
    assert body["pending"] == dict.fromkeys(
        (
            "inbound",
            "outbox",
            "invoice_pdfs",
            "credit_note_pdfs",
            "bulk_bookings",
            "unconfirmed_bookings",
        ),
        nothing,
    )
    # Neither beat nor any worker has answered here yet: reported, not a failure.
    assert body["workers"] == dict.fromkeys(("beat", *settings.WORKER_QUEUES))
    assert set(body["queued"]) == set(settings.WORKER_QUEUES)


@pytest.mark.django_db
def test_a_dead_beat_makes_healthz_503_and_is_named(client, no_heartbeats, tmp_path):
    from performile.beat import Scheduler

    beat = Scheduler(app=celery_app, schedule_filename=str(tmp_path / "schedule"))
    beat.tick()
    beat.close()
    for queue in settings.WORKER_QUEUES:
        heartbeat(queue)
    assert client.get("/healthz").json()["workers"]["beat"] < 5

    with time_machine.travel(timezone.now() + timedelta(minutes=4)):
        for queue in settings.WORKER_QUEUES:
            heartbeat(queue)  # the workers answer: only beat is gone
        response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["workers"]["beat"] > 180
    assert response.json()["workers"]["polling"] < 5


@pytest.mark.django_db
def test_work_waiting_past_its_limit_makes_healthz_503_and_is_named(
    client, store, no_heartbeats
):
    from shipments.models import BulkBooking
    from tests.shipments.factories import CourierAccountFactory

    BulkBooking.objects.create(
        merchant=store.merchant,
        account=CourierAccountFactory(merchant=store.merchant),
        service_code="SBX_HOME",
        service_type="home",
        order_ids=[1],
        status=BulkBooking.Status.RUNNING,
        heartbeat_at=timezone.now() - timedelta(minutes=10),
    )

    response = client.get("/healthz")

    assert response.status_code == 503
    body = response.json()
    assert body["late"] == ["bulk_bookings"]
    assert body["pending"]["bulk_bookings"]["pending"] == 1
    assert body["pending"]["bulk_bookings"]["oldest_seconds"] >= 600


@pytest.mark.django_db
def test_a_queue_whose_workers_stopped_answering_makes_healthz_503(
    client, no_heartbeats
):
    for queue in settings.WORKER_QUEUES:
        heartbeat(queue)
    assert client.get("/healthz").status_code == 200

    # The polling workers died; the others keep answering.
    with time_machine.travel(timezone.now() + timedelta(minutes=4)):
        for queue in settings.WORKER_QUEUES:
            if queue != "polling":
                heartbeat(queue)
        response = client.get("/healthz")

    assert response.status_code == 503
    workers = response.json()["workers"]
    assert workers["polling"] > 180
    assert workers["documents"] < 5


def test_beat_sends_a_heartbeat_to_every_queue():
    sent_to = {
        celery_app.amqp.router.route(entry["options"], entry["task"])["queue"].name
        for entry in settings.CELERY_BEAT_SCHEDULE.values()
        if entry["task"] == "performile.tasks.heartbeat"
    }
    assert sent_to == set(settings.WORKER_QUEUES)


@pytest.mark.django_db
def test_healthz_reports_a_broken_redis(client, settings):
    from django.core.cache import caches

    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
        }
    }
    caches._settings = None
    with contextlib.suppress(AttributeError):
        del caches.default
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["redis"].startswith("error")
    assert response.json()["database"] == "ok"
