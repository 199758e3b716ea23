import os
import signal
import time
from datetime import timedelta

import pytest
import time_machine
from django.db import connections
from django.urls import reverse
from django.utils import timezone

from orders.state_machine import OrderStatus
from performile.celery import app as celery_app
from shipments.couriers.base import ServiceType
from shipments.models import BulkBooking, Shipment
from tests.factories import OrderFactory
from tests.shipments.factories import ADDRESS, CourierAccountFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def eager_celery():
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = False


@pytest.fixture
def account(store, sandbox_courier, sandbox_api_key):
    store.pickup_address = {**ADDRESS, "name": "Warehouse"}
    store.save()
    return CourierAccountFactory(
        merchant=store.merchant, base_url=sandbox_courier, api_key=sandbox_api_key
    )


def test_bulk_booking_books_each_order_and_reports_progress(
    staff_api, store, account, eager_celery, django_capture_on_commit_callbacks
):
    good = [
        OrderFactory(store=store, status=OrderStatus.PENDING, delivery_address=ADDRESS)
        for _ in range(3)
    ]
    no_address = OrderFactory(store=store, delivery_address={"city": "Oslo"})
    ids = [o.pk for o in good] + [no_address.pk]
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_api.post(
            reverse("api-bulk-book"),
            {"orders": ids, "account": account.pk, "service_code": "SBX_HOME"},
            format="json",
        )
    assert response.status_code == 202, response.content
    job_id = response.json()["id"]
    progress = staff_api.get(reverse("api-bulk-booking", args=[job_id])).json()
    assert (
        progress["status"],
        progress["total"],
        progress["booked"],
        progress["failed"],
    ) == ("done", 4, 3, 1)
    assert "recipient address lacks" in progress["errors"][str(no_address.pk)]
    assert Shipment.objects.filter(order__in=good).count() == 3
    for order in good:
        order.refresh_from_db()
        assert order.status == OrderStatus.CONFIRMED
        assert order.has_tracking


def test_bulk_booking_refuses_orders_the_user_may_not_see(
    staff_api, account, other_store
):
    theirs = OrderFactory(store=other_store)
    response = staff_api.post(
        reverse("api-bulk-book"),
        {"orders": [theirs.pk], "account": account.pk, "service_code": "SBX_HOME"},
        format="json",
    )
    assert response.status_code == 400
    assert not BulkBooking.objects.exists()


def test_progress_of_another_merchants_job_is_404(
    api_client, staff_api, store, account, other_merchant_staff
):
    order = OrderFactory(store=store, delivery_address=ADDRESS)
    job_id = staff_api.post(
        reverse("api-bulk-book"),
        {"orders": [order.pk], "account": account.pk, "service_code": "SBX_HOME"},
        format="json",
    ).json()["id"]
    api_client.force_authenticate(other_merchant_staff)
    assert api_client.get(reverse("api-bulk-booking", args=[job_id])).status_code == 404


def test_bulk_booking_pages(
    client, staff_user, store, account, eager_celery, django_capture_on_commit_callbacks
):
    orders = [OrderFactory(store=store, delivery_address=ADDRESS) for _ in range(2)]
    client.force_login(staff_user)
    ids = ",".join(str(o.pk) for o in orders)
    page = client.get(
        reverse("shipments:bulk"), {"orders": ids}, HTTP_HX_REQUEST="true"
    )
    assert page.status_code == 200
    assert b"Sandbox Home Delivery" in page.content
    assert b"Book 2 shipments" in page.content
    with django_capture_on_commit_callbacks(execute=True):
        started = client.post(
            reverse("shipments:bulk"),
            {
                "orders": [o.pk for o in orders],
                "service": f"{account.pk}:SBX_HOME:home_delivery",
            },
            HTTP_HX_REQUEST="true",
        )
    assert started.status_code == 200
    job = BulkBooking.objects.get()
    progress = client.get(
        reverse("shipments:bulk-progress", args=[job.pk]), HTTP_HX_REQUEST="true"
    )
    assert b"Booking finished" in progress.content
    assert b"2 of 2" in progress.content
    assert b"every 1s" not in progress.content  # stops polling when done


def test_bulk_booking_without_a_service_says_so(client, staff_user, store, account):
    order = OrderFactory(store=store, delivery_address=ADDRESS)
    client.force_login(staff_user)
    response = client.post(
        reverse("shipments:bulk"), {"orders": [order.pk]}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 422
    assert b"Choose a courier service" in response.content
    assert not BulkBooking.objects.exists()


def test_customers_get_403_from_the_shipments_pages(client, customer, store):
    order = OrderFactory(store=store, customer=customer)
    client.force_login(customer.user)
    for url in (
        reverse("shipments:book", args=[order.pk]),
        reverse("shipments:bulk"),
        reverse("shipments:performance"),
        reverse("shipments:order-panel", args=[order.pk]),
    ):
        assert client.get(url).status_code == 403, url


def test_an_order_booked_already_counts_as_booked_and_a_rerun_counts_once(
    staff_api, store, account, eager_celery, django_capture_on_commit_callbacks
):
    from shipments import bulk

    orders = [OrderFactory(store=store, delivery_address=ADDRESS) for _ in range(2)]
    staff_api.post(
        reverse("api-shipment-book"),
        {"order": orders[0].pk, "account": account.pk, "service_code": "SBX_HOME"},
        format="json",
    )
    with django_capture_on_commit_callbacks(execute=True):
        job_id = staff_api.post(
            reverse("api-bulk-book"),
            {
                "orders": [o.pk for o in orders],
                "account": account.pk,
                "service_code": "SBX_HOME",
            },
            format="json",
        ).json()["id"]
    # Given to a new runner after a crash: the booked order counts once.
    BulkBooking.objects.filter(pk=job_id).update(
        status=BulkBooking.Status.RUNNING,
        lease="resumed",
        booked_order_ids=[],
        booked=0,
    )
    bulk.bulk_booking_run(job_id, "resumed")
    progress = staff_api.get(reverse("api-bulk-booking", args=[job_id])).json()
    assert (progress["booked"], progress["failed"], progress["status"]) == (
        2,
        0,
        "done",
    )
    assert Shipment.objects.count() == 2


def test_a_bulk_booking_whose_task_was_lost_is_run_by_the_sweep(
    staff_user, store, account, eager_celery
):
    from shipments.bulk import bulk_booking_start
    from shipments.tasks import bulk_bookings_sweep

    order = OrderFactory(
        store=store, status=OrderStatus.PENDING, delivery_address=ADDRESS
    )
    # Started, but what its commit schedules never ran: the job stays queued.
    job = bulk_booking_start(
        user=staff_user,
        account=account,
        service_code="SBX_HOME",
        service_type=ServiceType.HOME,
        order_ids=[order.pk],
    )
    bulk_bookings_sweep()
    job.refresh_from_db()
    assert job.status == BulkBooking.Status.QUEUED  # not yet: it may just be waiting

    with time_machine.travel(timezone.now() + timedelta(minutes=6)):
        bulk_bookings_sweep()
    job.refresh_from_db()
    assert (job.status, job.booked) == (BulkBooking.Status.DONE, 1)
    assert Shipment.objects.filter(order=order).count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_job_whose_worker_was_killed_is_resumed_with_exact_counts(
    staff_user, store, account, sandbox_process, sandbox_api_key
):
    from shipments import bulk
    from shipments.couriers.sandbox import SandboxCourier
    from shipments.tasks import bulk_bookings_sweep

    orders = [
        OrderFactory(store=store, status=OrderStatus.PENDING, delivery_address=ADDRESS)
        for _ in range(6)
    ]
    job = running_job(
        account, staff_user, [order.pk for order in orders], lease="first-runner"
    )
    # Each booking takes a while, so the worker dies in the middle of the job.
    sandbox_process.fail_next(
        sandbox_api_key, status=0, delay=0.2, count=100, path="/v1/shipments"
    )
    # Parent and worker must not share pooled connections (their sockets).
    connections.close_all()
    connections["default"].close_pool()
    runner = os.fork()
    if runner == 0:  # the worker
        try:
            bulk.bulk_booking_run(job.pk, "first-runner")
        finally:
            os._exit(0)
    try:
        wait_for(lambda: BulkBooking.objects.get(pk=job.pk).booked >= 2)
    finally:
        os.kill(runner, signal.SIGKILL)
        os.waitpid(runner, 0)
    sandbox_process.control(sandbox_api_key, "faults", {"clear": True})
    job.refresh_from_db()
    assert job.status == BulkBooking.Status.RUNNING
    assert 2 <= job.booked < 6

    bulk_bookings_sweep()  # its heartbeat is fresh: it may just be slow
    assert BulkBooking.objects.get(pk=job.pk).lease == "first-runner"

    celery_app.conf.task_always_eager = True
    try:
        with time_machine.travel(timezone.now() + bulk.STALE_AFTER):
            bulk_bookings_sweep()
    finally:
        celery_app.conf.task_always_eager = False

    job.refresh_from_db()
    assert (job.status, job.booked, job.failed) == (BulkBooking.Status.DONE, 6, 0)
    assert sorted(job.booked_order_ids) == sorted(order.pk for order in orders)
    courier = SandboxCourier(account.settings())
    for order in orders:
        shipment = Shipment.objects.get(order=order)  # exactly one each
        # ... and exactly one booking at the courier, the one we have.
        booked = courier.find_booking(f"performile-order-{order.pk}")
        assert booked.tracking_number == shipment.tracking_number
    # The dead runner's message, redelivered later, changes nothing.
    bulk.bulk_booking_run(job.pk, "first-runner")
    assert Shipment.objects.filter(order__in=orders).count() == 6


def test_a_runner_that_lost_its_lease_stops_at_its_next_order(
    staff_user, store, account, monkeypatch
):
    from shipments import bulk

    orders = [OrderFactory(store=store, delivery_address=ADDRESS) for _ in range(2)]
    job = running_job(account, staff_user, [order.pk for order in orders], lease="old")
    book = bulk.shipment_book

    def book_while_the_sweep_hands_the_job_on(**kwargs):
        # The sweep thought this runner dead and gave the job a new lease.
        BulkBooking.objects.filter(pk=job.pk).update(lease="new")
        return book(**kwargs)

    monkeypatch.setattr(bulk, "shipment_book", book_while_the_sweep_hands_the_job_on)
    bulk.bulk_booking_run(job.pk, "old")
    monkeypatch.undo()
    job.refresh_from_db()
    # It booked its first order, could not record it, and stopped.
    assert (job.booked, job.status) == (0, BulkBooking.Status.RUNNING)
    assert Shipment.objects.filter(order__in=orders).count() == 1

    bulk.bulk_booking_run(job.pk, "new")
    job.refresh_from_db()
    assert (job.booked, job.failed, job.status) == (2, 0, BulkBooking.Status.DONE)
    assert Shipment.objects.filter(order__in=orders).count() == 2


def test_an_order_deleted_before_its_turn_fails_alone(staff_user, store, account):
    from shipments import bulk

    kept = OrderFactory(store=store, delivery_address=ADDRESS)
    job = running_job(account, staff_user, [999_999_999, kept.pk], lease="l")
    bulk.bulk_booking_run(job.pk, "l")
    job.refresh_from_db()
    assert (job.booked, job.failed, job.status) == (1, 1, BulkBooking.Status.DONE)
    assert job.errors == {"999999999": "The order no longer exists."}


def wait_for(condition, timeout=20.0):
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.05)


def running_job(account, user, order_ids, *, lease) -> BulkBooking:
    """A job as bulk_booking_start leaves it, with the lease given."""
    return BulkBooking.objects.create(
        merchant=account.merchant,
        account=account,
        service_code="SBX_HOME",
        service_type=ServiceType.HOME,
        order_ids=order_ids,
        created_by=user,
        lease=lease,
    )
