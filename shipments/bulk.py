"""Bulk booking: many orders with one courier service, run by Celery with progress."""

from datetime import timedelta

from django.db.models import F
from django.utils import timezone

from orders.models import Order
from orders.selectors import visible_orders
from performile.errors import ApplicationError
from performile.events import delay_on_commit
from shipments.models import BulkBooking, CourierAccount
from shipments.services import shipment_book, shipment_defaults

MAX_ORDERS = 500
# A bulk booking's task normally starts within seconds.
QUEUED_GRACE = timedelta(minutes=5)


def bulk_booking_start(
    *, user, account: CourierAccount, service_code: str, service_type: str, order_ids
) -> BulkBooking:
    """Queue a bulk booking of the orders the user may see, of the account's merchant."""
    ids = list(dict.fromkeys(order_ids))
    if not ids or len(ids) > MAX_ORDERS:
        raise ApplicationError(
            f"Choose between 1 and {MAX_ORDERS} orders.", fields={"orders": ["Count."]}
        )
    found = set(
        visible_orders(user)
        .filter(pk__in=ids, merchant_id=account.merchant_id)
        .values_list("pk", flat=True)
    )
    if missing := [pk for pk in ids if pk not in found]:
        raise ApplicationError(
            f"Unknown orders: {', '.join(map(str, missing[:10]))}.",
            fields={"orders": ["Unknown orders."]},
        )
    from shipments.tasks import bulk_booking_run

    job = BulkBooking.objects.create(
        merchant_id=account.merchant_id,
        account=account,
        service_code=service_code,
        service_type=service_type,
        order_ids=ids,
        created_by=user,
    )
    delay_on_commit(bulk_booking_run, job.pk)
    return job


def queued_too_long() -> list[int]:
    """Jobs still queued QUEUED_GRACE after they were started: their task was lost
    (the broker was away). Queued again; a job that does run twice books nothing
    twice (shipment_book hands back an order's existing booking)."""
    return list(
        BulkBooking.objects.filter(
            status=BulkBooking.Status.QUEUED,
            created_at__lt=timezone.now() - QUEUED_GRACE,
        ).values_list("pk", flat=True)
    )


def bulk_booking_run(job_id: int) -> None:
    """Book each order in turn (an order booked already counts as booked); one
    failure does not stop the others."""
    job = BulkBooking.objects.select_related("account", "created_by").get(pk=job_id)
    # Counts start afresh: a redelivered task (after a worker crash) books again,
    # and shipment_book hands back the shipment of an order already booked.
    job.errors = {}
    BulkBooking.objects.filter(pk=job.pk).update(
        status=BulkBooking.Status.RUNNING, booked=0, failed=0, errors={}
    )
    for order_id in job.order_ids:
        _book_one(job, order_id)
    BulkBooking.objects.filter(pk=job.pk).update(
        status=BulkBooking.Status.DONE, finished_at=timezone.now()
    )


def _book_one(job: BulkBooking, order_id: int) -> None:
    order = Order.objects.select_related("store").get(pk=order_id)
    try:
        shipment_book(
            order=order,
            account=job.account,
            service_code=job.service_code,
            service_type=job.service_type,
            actor=job.created_by,
            **shipment_defaults(order),
        )
    except ApplicationError as exc:
        job.errors[str(order_id)] = exc.message
        BulkBooking.objects.filter(pk=job.pk).update(
            failed=F("failed") + 1, errors=job.errors
        )
    else:
        BulkBooking.objects.filter(pk=job.pk).update(booked=F("booked") + 1)
