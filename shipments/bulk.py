"""Bulk booking: many orders with one courier service, run by Celery with progress.

Progress is recorded after each order (which orders are booked, which failed and
why), with a heartbeat. A job whose runner died (a worker killed mid-job) is given
to a new runner by the sweep and goes on from where it stopped; its counts stay
exact, because booking an order that has its shipment already hands that shipment
back. Only the runner holding the job's lease records progress, so a runner that
was thought dead stops at its next order instead of counting twice.
"""

import logging
import secrets
from datetime import timedelta

from django.db.models import Q
from django.utils import timezone

from orders.models import Order
from orders.selectors import visible_orders
from performile.errors import ApplicationError
from performile.events import delay_on_commit
from shipments.models import BulkBooking, CourierAccount
from shipments.services import shipment_book, shipment_defaults

logger = logging.getLogger(__name__)
MAX_ORDERS = 500
# A bulk booking's task normally starts within seconds; a busy bookings queue may
# hold it for minutes.
QUEUED_GRACE = timedelta(minutes=5)
# A runner beats after every order, and one order takes at most the courier's
# timeouts (13 s): a heartbeat this old means the runner died. With the sweep every
# 15 s, a job is resumed within a minute of its worker's death.
STALE_AFTER = timedelta(seconds=40)


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
        lease=_new_lease(),
    )
    delay_on_commit(bulk_booking_run, job.pk, job.lease)
    return job


def unfinished():
    return BulkBooking.objects.exclude(status=BulkBooking.Status.DONE)


def jobs_to_resume() -> list[tuple[int, str]]:
    """(job id, new lease) of the jobs whose task was lost (still queued after
    QUEUED_GRACE: the broker was away) or whose runner died (no heartbeat for
    STALE_AFTER). The new lease retires the old runner, should it be alive."""
    now = timezone.now()
    stalled = Q(status=BulkBooking.Status.QUEUED, heartbeat_at__lt=now - QUEUED_GRACE)
    stalled |= Q(status=BulkBooking.Status.RUNNING, heartbeat_at__lt=now - STALE_AFTER)
    resumed = []
    for pk in BulkBooking.objects.filter(stalled).values_list("pk", flat=True):
        lease = _new_lease()
        # Still stalled (not finished or beating meanwhile): the lease is ours.
        if BulkBooking.objects.filter(stalled, pk=pk).update(
            lease=lease, heartbeat_at=now
        ):
            resumed.append((pk, lease))
    return resumed


def bulk_booking_run(job_id: int, lease: str) -> None:
    """Book each order not settled yet, in turn (an order booked already counts as
    booked); one failure does not stop the others. Returns at once unless the lease
    is the job's current one."""
    claimed = (
        BulkBooking.objects.filter(pk=job_id, lease=lease)
        .exclude(status=BulkBooking.Status.DONE)
        .update(status=BulkBooking.Status.RUNNING, heartbeat_at=timezone.now())
    )
    if not claimed:
        return
    job = BulkBooking.objects.select_related("account", "created_by").get(pk=job_id)
    settled = set(job.booked_order_ids) | {int(pk) for pk in job.errors}
    for order_id in job.order_ids:
        if order_id in settled:
            continue
        if error := _book_one(job, order_id):
            job.errors[str(order_id)] = error
        else:
            job.booked_order_ids.append(order_id)
        if not _record_progress(job, lease):
            return  # the sweep gave the job to another runner
    BulkBooking.objects.filter(pk=job.pk, lease=lease).update(
        status=BulkBooking.Status.DONE, finished_at=timezone.now()
    )


def _book_one(job: BulkBooking, order_id: int) -> str:
    """Book one order; the reason it could not be booked, or ""."""
    order = Order.objects.select_related("store").filter(pk=order_id).first()
    if order is None:
        return "The order no longer exists."
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
        return exc.message
    except Exception:
        # Recorded as failed, so a resumed job does not fail on it forever.
        logger.exception("bulk booking %s: order %s failed", job.pk, order_id)
        return "Unexpected error; the order was not booked."
    return ""


def _record_progress(job: BulkBooking, lease: str) -> bool:
    return bool(
        BulkBooking.objects.filter(pk=job.pk, lease=lease).update(
            booked_order_ids=job.booked_order_ids,
            booked=len(job.booked_order_ids),
            errors=job.errors,
            failed=len(job.errors),
            heartbeat_at=timezone.now(),
        )
    )


def _new_lease() -> str:
    return secrets.token_hex(16)
