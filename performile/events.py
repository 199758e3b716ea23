"""Domain events: recorded with the change, dispatched after it (ARCHITECTURE.md,
mechanism 4; docs/inbound.md).

`send_on_commit(signal, sender, **kwargs)` writes the event as a row of the inbound
log (provider "event") in the caller's transaction, so it exists exactly when the
change does. The appliers (`manage.py inbound_apply`) dispatch it to the signal's
receivers in batches, off the request or poll that caused it, in order per order
or parcel; what a receiver writes (an invoice, a system message, a notification in
the outbox) commits together with the event's outcome, exactly once. A receiver that
fails is tried again after a backoff, without running again the ones that
succeeded.

Inside `outbox.recording_history()` (the demo) and under INBOUND_APPLY_EAGER (the
tests) the event is also dispatched in this thread as soon as the transaction
commits, through the same code.
"""

import dataclasses
import datetime
import json
import logging
import uuid
from decimal import Decimal

from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.dispatch import Signal
from django.utils.module_loading import import_string

from performile import broker, inbound, outbox
from performile.transactions import after_commit

logger = logging.getLogger(__name__)

_signals: dict[str, "DomainSignal"] = {}


class DomainSignal(Signal):
    """A signal whose events are recorded and dispatched by the appliers. `name`
    identifies it in the log ("orders.order_created"); its arguments must be what
    `encode` can write: ids, strings, numbers, Decimals, datetimes, dataclasses."""

    def __init__(self, name: str):
        super().__init__()
        self.name = name
        _signals[name] = self


def send_on_commit(signal: DomainSignal, sender, **kwargs) -> None:
    """Record the event in the current transaction; it reaches the receivers once
    the transaction has committed."""
    send_many_on_commit(signal, sender, [kwargs])


def send_many_on_commit(signal: DomainSignal, sender, events: list[dict]) -> None:
    """`send_on_commit` for several events of one signal, in one INSERT."""
    ids = inbound.enqueue_many(
        [
            {
                "provider": "event",
                "delivery_id": str(uuid.uuid4()),
                "entity": _entity(kwargs),
                "route": {"signal": signal.name, "sender": sender._meta.label},
                "body": json.dumps(encode(kwargs)).encode(),
            }
            for kwargs in events
        ]
    )
    if ids and (settings.INBOUND_APPLY_EAGER or outbox.is_recording_history()):
        after_commit(_dispatch_now, ids)


def _dispatch_now(ids: list[int]) -> None:
    while inbound.apply_batch(ids=ids):
        pass


def _entity(kwargs) -> str:
    """The events of one order (or parcel) reach the receivers in order."""
    for name in ("order_id", "shipment_id", "customer_id"):
        if kwargs.get(name) is not None:
            return f"{name.removesuffix('_id')}-events:{kwargs[name]}"
    return "events"


@inbound.applier("event")
def dispatch(delivery, request) -> inbound.Outcome:
    signal = _signals[delivery.route["signal"]]
    sender = apps.get_model(delivery.route["sender"])
    kwargs = decode(json.loads(bytes(delivery.body)))
    done = list(delivery.result.get("done", []))
    failed = {}
    for receiver in signal._live_receivers(sender)[0]:
        name = f"{receiver.__module__}.{receiver.__qualname__}"
        if name in done:
            continue  # succeeded in an earlier attempt
        if not inbound.applying_alone():
            # In a batch: any error fails the batch, which is then applied row by
            # row and comes back here alone.
            receiver(signal=signal, sender=sender, **kwargs)
            done.append(name)
            continue
        try:
            with transaction.atomic():
                receiver(signal=signal, sender=sender, **kwargs)
        except Exception as exc:  # noqa: BLE001 - retried, the others stand
            logger.exception("receiver %s failed for %s", name, delivery.pk)
            failed[name] = f"{type(exc).__name__}: {exc}"
        else:
            done.append(name)
    if failed:
        return inbound.retry(
            "; ".join(f"{n}: {e}" for n, e in failed.items()), done=done
        )
    return inbound.applied(done=done)


# --- Writing the arguments down ------------------------------------------------------


def encode(value):
    """JSON for the event's arguments, keeping their types."""
    if isinstance(value, dict):
        return {key: encode(item) for key, item in value.items()}
    if isinstance(value, list):
        return [encode(item) for item in value]
    if isinstance(value, tuple):
        return {"$tuple": [encode(item) for item in value]}
    if isinstance(value, Decimal):
        return {"$decimal": str(value)}
    if isinstance(value, datetime.datetime):
        return {"$datetime": value.isoformat()}
    if isinstance(value, datetime.date):
        return {"$date": value.isoformat()}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = {
            f.name: encode(getattr(value, f.name)) for f in dataclasses.fields(value)
        }
        kind = type(value)
        return {
            "$dataclass": f"{kind.__module__}.{kind.__qualname__}",
            "fields": fields,
        }
    if value is None or isinstance(value, str | int | float | bool):
        return value
    raise TypeError(f"A domain event cannot carry {type(value).__name__}: {value!r}")


def decode(value):
    if isinstance(value, list):
        return [decode(item) for item in value]
    if not isinstance(value, dict):
        return value
    if "$tuple" in value:
        return tuple(decode(item) for item in value["$tuple"])
    if "$decimal" in value:
        return Decimal(value["$decimal"])
    if "$datetime" in value:
        return datetime.datetime.fromisoformat(value["$datetime"])
    if "$date" in value:
        return datetime.date.fromisoformat(value["$date"])
    if "$dataclass" in value:
        return import_string(value["$dataclass"])(**decode(value["fields"]))
    return {key: decode(item) for key, item in value.items()}


def delay_on_commit(task, *args) -> None:
    """Queue the Celery `task` with `args` once the current transaction commits (at
    once outside one), so a worker never looks for rows that are not committed yet.
    A broker that cannot take it is logged and the task's sweep finds the work
    (performile.broker); the change stays committed either way."""
    after_commit(broker.enqueue, task, *args)
