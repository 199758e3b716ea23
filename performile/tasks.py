"""Celery tasks of the platform: the outbox's sender and its sweep, and the
workers' heartbeat.

Retries and backoff live in the outbox rows (performile.outbox), not in Celery: a
failed send is rescheduled on its row and picked up by the sweep.
"""

from celery import shared_task

from performile import heartbeats, outbox


# The hard limit stays under outbox.LEASE, so a message is never sent by two
# workers at once.
@shared_task(soft_time_limit=60, time_limit=90)
def outbox_deliver(message_id: int):
    outbox.deliver(message_id)


@shared_task(soft_time_limit=outbox.SWEEP_SECONDS + 25, time_limit=90)
def outbox_deliver_due():
    outbox.deliver_due()


@shared_task(ignore_result=True)
def heartbeat(queue: str):
    """Sent by beat to each queue (settings); the worker that takes it is alive."""
    heartbeats.record(queue)
