"""A Redis that stops answering (stopped with SIGSTOP, or a network that drops it)
holds no request: the cache answers like an empty one, tasks are left to their
sweeps, live pushes are skipped, and /healthz says so (docs/faults.md)."""

import time

import time_machine
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from invoices.models import Invoice
from orders.models import Order
from performile import redis_guard
from performile.celery import app as celery_app
from performile.models import OutboxMessage
from shipments.bulk import jobs_to_resume
from shipments.models import BulkBooking
from tests.factories import CustomerFactory, OrderFactory, UserFactory
from tests.orders.payloads import post_shopify, shopify_order
from tests.shipments.factories import CourierAccountFactory

# One timeout of redis_guard.SOCKET_TIMEOUT, then the breaker; with room for a
# busy test machine.
BUDGET = 3.0


class Timer:
    def __enter__(self):
        self.started = time.monotonic()
        return self

    def __exit__(self, *exc):
        self.seconds = time.monotonic() - self.started


def test_the_cache_answers_like_an_empty_one_at_once(redis, db):
    cache.set("greeting", "hej")
    assert cache.get("greeting") == "hej"

    redis.stall()
    with Timer() as timer:
        assert cache.get("greeting") is None
        assert cache.add("a-lock", 1) is True  # a lock lets the caller through
        assert cache.incr("a-rate", 1) == 1  # the first hit of a window
        for _ in range(50):
            cache.get("greeting")  # the breaker is open: no more waiting

    assert timer.seconds < BUDGET
    assert redis_guard.cache.is_open


def test_signing_in_works_while_redis_stalls(client, redis, db):
    UserFactory(username="anna", email="anna@example.com")
    redis.stall()

    with Timer() as timer:
        response = client.post(
            reverse("account_login"),
            {"login": "anna@example.com", "password": "pw-secret-123"},
        )

    assert response.status_code == 302
    assert "_auth_user_id" in client.session
    assert timer.seconds < BUDGET


def test_healthz_says_redis_is_away_within_its_budget(client, redis, db):
    redis.stall()

    with Timer() as timer:
        response = client.get("/healthz")

    assert timer.seconds < BUDGET
    assert response.status_code == 503
    body = response.json()
    assert body["database"] == "ok"
    assert body["redis"].startswith("error")

    cache.get("anything")  # a use of the cache finds it away too
    body = client.get("/healthz").json()
    assert body["without_redis"]["cache"].startswith("degraded")


def test_a_paid_order_is_taken_and_its_pdf_left_to_the_sweep(
    client, store, redis, django_capture_on_commit_callbacks
):
    redis.stall()

    with Timer() as timer, django_capture_on_commit_callbacks(execute=True):
        response = post_shopify(client, store, shopify_order(financial_status="paid"))

    assert timer.seconds < BUDGET
    assert response.status_code == 200
    invoice = Invoice.objects.get(order__store=store)
    assert not invoice.pdf  # its render task could not be queued
    assert redis_guard.broker.is_open

    redis.resume()
    celery_app.conf.task_always_eager = True
    try:
        with time_machine.travel(timezone.now() + timezone.timedelta(minutes=3)):
            from invoices.tasks import invoices_render_missing

            assert invoices_render_missing() == 1
    finally:
        celery_app.conf.task_always_eager = False
    invoice.refresh_from_db()
    assert invoice.pdf


def test_a_status_change_answers_and_its_notification_waits_in_the_outbox(
    client, store, staff_user, redis, django_capture_on_commit_callbacks
):
    customer = CustomerFactory(merchant=store.merchant, email="ida@example.com")
    order = OrderFactory(store=store, customer=customer, status=Order.Status.PENDING)
    client.force_login(staff_user)
    redis.stall()

    with Timer() as timer, django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("orders:change-status", args=[order.pk]),
            {"status": Order.Status.CONFIRMED, "note": ""},
        )

    assert timer.seconds < BUDGET
    assert response.status_code in (200, 302)
    order.refresh_from_db()
    assert order.status == Order.Status.CONFIRMED
    # Its email is in the outbox, where outbox_deliver_due finds it.
    assert OutboxMessage.objects.filter(recipient="ida@example.com").exists()


def test_a_bulk_booking_asked_for_while_redis_stalls_is_taken_and_swept_later(
    staff_api, store, redis, django_capture_on_commit_callbacks
):
    account = CourierAccountFactory(merchant=store.merchant)
    order = OrderFactory(store=store)
    redis.stall()

    with Timer() as timer, django_capture_on_commit_callbacks(execute=True):
        response = staff_api.post(
            reverse("api-bulk-book"),
            {"orders": [order.pk], "account": account.pk, "service_code": "SBX_HOME"},
            format="json",
        )

    assert timer.seconds < BUDGET
    assert response.status_code == 202  # taken; not a 500
    job = BulkBooking.objects.get(pk=response.json()["id"])
    assert job.status == BulkBooking.Status.QUEUED
    # Its task could not be queued: the sweep finds it once its grace is over.
    with time_machine.travel(timezone.now() + timezone.timedelta(minutes=6)):
        assert [pk for pk, _ in jobs_to_resume()] == [job.pk]
