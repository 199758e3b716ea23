"""Reading what became of a webhook delivery (performile.inbound) in tests.

Under the test settings each delivery is applied in the request that recorded it
(INBOUND_APPLY_EAGER), through the applier's own code; the response says only
"accepted" with the delivery's id, and its row says what happened.
"""

import threading

from django.db import connection
from django.utils import timezone

from performile import inbound
from performile.models import InboundDelivery


def delivery_of(response) -> InboundDelivery:
    return InboundDelivery.objects.get(pk=response.json()["delivery"])


def outcome(response) -> dict:
    """{"status": applied | duplicate | ignored | pending | failed, **result}, or
    {"status": "duplicate"} for a delivery the door had recorded before."""
    body = response.json()
    if "delivery" not in body:
        return {"status": body["status"]}
    delivery = delivery_of(response)
    return {"status": delivery.status, **delivery.result}


def apply_due() -> int:
    """Time passes: every pending delivery is due, and the appliers apply them."""
    InboundDelivery.objects.filter(status="pending").update(
        available_at=timezone.now() - timezone.timedelta(seconds=1)
    )
    total = 0
    while applied := inbound.apply_batch():
        total += applied
    return total


def apply_all() -> int:
    """What is due now, applied as an applier would, until nothing is left."""
    total = 0
    while applied := inbound.apply_batch():
        total += applied
    return total


class MidBatch:
    """An applier killed mid-batch: `kill()` runs one in a thread, and when its work
    reaches `hang()` (called from inside it, once), cuts its database connection
    as a crash would. Needs a transactional test."""

    def __init__(self):
        self._inside, self._cut, self._pid = threading.Event(), threading.Event(), []

    def hang(self) -> None:
        if self._pid:
            return
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            self._pid.append(cursor.fetchone()[0])
        self._inside.set()
        self._cut.wait(30)  # until its connection is cut

    def kill(self) -> None:
        worker = threading.Thread(target=self._doomed_applier)
        worker.start()
        assert self._inside.wait(30), "the applier never got there"
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [self._pid[0]])
        self._cut.set()
        worker.join(30)

    @staticmethod
    def _doomed_applier():
        try:
            inbound.apply_batch()
        except Exception:  # noqa: BLE001, S110 - its connection was cut
            pass
        finally:
            connection.close()
