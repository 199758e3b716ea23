"""Side effects after commit: the one helper every domain event goes through."""

import logging

from django.db import transaction
from django.dispatch import Signal

logger = logging.getLogger(__name__)


def send_on_commit(signal: Signal, sender, **kwargs) -> None:
    """Send `signal` once the current transaction commits (at once outside one).

    A receiver that fails is logged and does not stop the others: the change that
    caused the event is already committed.
    """

    def send():
        for receiver, result in signal.send_robust(sender=sender, **kwargs):
            if isinstance(result, Exception):
                logger.error(
                    "receiver %r failed",
                    receiver,
                    exc_info=(type(result), result, None),
                )

    transaction.on_commit(send)


def delay_on_commit(task, *args) -> None:
    """Queue the Celery `task` with `args` once the current transaction commits (at
    once outside one), so a worker never looks for rows that are not committed yet.
    A broker that cannot take it is logged; the change stays committed."""
    transaction.on_commit(lambda: task.delay(*args), robust=True)
