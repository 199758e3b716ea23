"""Inbound deliveries: recorded and acknowledged, then applied in batches
(ARCHITECTURE.md, mechanism 3; docs/inbound.md).

The edge, `record()`: a webhook endpoint that has checked the signature and read
the body writes one `InboundDelivery` with a single INSERT ... ON CONFLICT DO
NOTHING and answers. A trigger NOTIFYs the appliers.

The appliers, `apply_batch()` (run by `manage.py inbound_apply`, any number of
them): each batch is one transaction that
- claims up to `size` due rows with FOR UPDATE SKIP LOCKED, taking a row only when
  no earlier due row of its entity (an order, a parcel, a sender) is still pending,
  so the deliveries of one entity apply in the order they came;
- applies them through their provider's applier (`<app>/appliers.py`) in one
  savepoint; when one raises, that savepoint is rolled back and the rows are
  applied one at a time, each in its own, so a bad row holds up nothing else;
- writes each row's outcome in the same transaction as its effect.
The effect and the outcome commit together, and a worker that dies mid-batch rolls
all of it back, leaving the rows pending for the next applier: each row is applied
exactly once, however many appliers run. A row that failed is tried again after a
backoff and marked failed after the last attempt; `replay()` puts it (or any row)
back in the queue.
"""

from performile.inbound.applying import (
    BATCH_SIZE,
    CHANNEL,
    DELIVERIES,
    EVENT_BATCH_SIZE,
    EVENTS,
    MAX_ATTEMPTS,
    apply_batch,
    apply_one,
    applying_alone,
    notify,
    replay,
)
from performile.inbound.edge import (
    KEY_MAX_LENGTH,
    enqueue,
    enqueue_many,
    key,
    record,
    stored_request,
)
from performile.inbound.registry import (
    Outcome,
    applied,
    applier,
    applier_for,
    batch_applier,
    batch_applier_for,
    duplicate,
    first_time,
    first_time_many,
    ignored,
    retry,
)
from performile.inbound.worker import run

__all__ = [
    "BATCH_SIZE",
    "CHANNEL",
    "DELIVERIES",
    "EVENTS",
    "EVENT_BATCH_SIZE",
    "KEY_MAX_LENGTH",
    "MAX_ATTEMPTS",
    "Outcome",
    "applied",
    "applier",
    "applier_for",
    "apply_batch",
    "apply_one",
    "applying_alone",
    "batch_applier",
    "batch_applier_for",
    "duplicate",
    "enqueue",
    "enqueue_many",
    "first_time",
    "first_time_many",
    "ignored",
    "key",
    "notify",
    "record",
    "replay",
    "retry",
    "run",
    "stored_request",
]
