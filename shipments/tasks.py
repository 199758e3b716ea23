"""Celery tasks of the shipments app: load ids, call the polling functions."""

import logging

from celery import shared_task

from shipments import polling, tracking
from shipments.couriers.base import CourierUnavailable

logger = logging.getLogger(__name__)
BATCH = 100
# A run (every 15 s) leases at most this many batches: what two workers poll in well
# under the 5-minute lease, so nothing queued outlives its lease.
MAX_BATCHES = 40


@shared_task(soft_time_limit=55, time_limit=60)
def shipments_poll_due():
    """Claim due shipments in batches and hand each batch to a worker."""
    for _ in range(MAX_BATCHES):
        ids = polling.shipments_claim_due(batch=BATCH)
        if not ids:
            return
        shipments_poll_batch.delay(ids)


@shared_task(soft_time_limit=90, time_limit=120)
def shipments_poll_batch(shipment_ids: list[int]):
    # A batch asks for polling.BATCH_BUDGET_SECONDS at most and hands the rest back;
    # the soft limit ends one stuck in a single request the same way.
    outcomes = polling.shipments_poll(shipment_ids)
    logger.info("polled %s shipments: %s", len(shipment_ids), dict(outcomes))


@shared_task
def shipments_flag_stuck():
    flagged = polling.shipments_flag_stuck()
    if flagged:
        logger.warning("%s shipments flagged as stuck", flagged)


@shared_task(soft_time_limit=60, time_limit=90)
def shipment_track(order_id: int):
    tracking.shipment_track(order_id=order_id)


# A sandbox or courier that is down now is asked again later; until then polling
# follows the number (it is due at once).
@shared_task(
    autoretry_for=(CourierUnavailable,),
    retry_backoff=30,
    retry_backoff_max=1800,
    max_retries=6,
    soft_time_limit=60,
    time_limit=90,
)
def shipment_register_tracking(shipment_id: int):
    tracking.shipment_register_tracking(shipment_id=shipment_id)


@shared_task(soft_time_limit=240, time_limit=270)
def shipments_track_missing():
    """Follow the tracking numbers whose task was lost (beat, every 10 minutes)."""
    for order_id in tracking.untracked_order_ids():
        tracking.shipment_track(order_id=order_id)


@shared_task
def bulk_bookings_sweep():
    """Resume bulk bookings whose task was lost or whose worker died (beat, every
    15 s)."""
    from shipments import bulk

    for job_id, lease in bulk.jobs_to_resume():
        bulk_booking_run.delay(job_id, lease)


@shared_task(soft_time_limit=240, time_limit=270)
def bookings_reconcile():
    """Look up the bookings couriers did not answer (beat, every 30 s)."""
    from shipments import reconcile

    for pk in reconcile.unconfirmed_bookings_due():
        outcome = reconcile.unconfirmed_booking_check(pk)
        logger.info("unconfirmed booking %s: %s", pk, outcome or "checking again")


@shared_task
def pending_tracking_updates_purge():
    purged = tracking.pending_updates_purge()
    if purged:
        logger.info("%s pending tracking updates purged", purged)


@shared_task(soft_time_limit=1800, time_limit=1900)
def bulk_booking_run(job_id: int, lease: str):
    from shipments import bulk

    bulk.bulk_booking_run(job_id, lease)
