"""Outcomes of applying a row, the appliers each provider registers, and the
keys that tell the same event sent twice under different delivery ids."""

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.core.handlers.wsgi import WSGIRequest
from django.db import connection
from django.utils.module_loading import autodiscover_modules

from performile.inbound.edge import key
from performile.models import InboundDelivery

Status = InboundDelivery.Status


@dataclass(frozen=True)
class Outcome:
    status: str
    result: dict = field(default_factory=dict)
    error: str = ""


def applied(**result) -> Outcome:
    return Outcome(Status.APPLIED, result)


def duplicate(**result) -> Outcome:
    return Outcome(Status.DUPLICATE, result)


def ignored(reason: str, **result) -> Outcome:
    return Outcome(Status.IGNORED, {"reason": reason, **result})


def retry(error: str, **result) -> Outcome:
    """Partly done: try again after a backoff, keeping `result` for that attempt."""
    return Outcome(Status.PENDING, result, error)


Applier = Callable[[InboundDelivery, WSGIRequest], Outcome]
BatchApplier = Callable[[list[InboundDelivery]], list[Outcome]]
_appliers: dict[str, Applier] = {}
_batch_appliers: dict[str, BatchApplier] = {}
_discovered = []


def applier(provider: str):
    """Register the function that applies `provider`'s deliveries."""

    def register(function: Applier) -> Applier:
        _appliers[provider] = function
        return function

    return register


def batch_applier(provider: str):
    """Register the function that applies several of `provider`'s deliveries at
    once (set-based SQL), in their order: one outcome per row. It may hand rows it
    has no shortcut for to the provider's row applier."""

    def register(function: BatchApplier) -> BatchApplier:
        _batch_appliers[provider] = function
        return function

    return register


def _discover() -> None:
    if not _discovered:
        autodiscover_modules("appliers")
        _discovered.append(True)


def applier_for(provider: str) -> Applier:
    _discover()
    return _appliers[provider]


def batch_applier_for(provider: str) -> BatchApplier | None:
    _discover()
    return _batch_appliers.get(provider)


def first_time(delivery: InboundDelivery, provider: str, keys: Iterable[str]) -> bool:
    """Remember `keys` for this delivery; False when another delivery applied any of
    them before (the same event, sent twice under different delivery ids)."""
    return first_time_many(provider, [delivery], [keys])[0]


def first_time_many(
    provider: str, deliveries: list[InboundDelivery], keys: list[Iterable[str]]
) -> list[bool]:
    """`first_time` for several deliveries in one statement. Their keys must not
    overlap (the caller applies a delivery that shares one by itself)."""
    keys = [list(dict.fromkeys(key(k) for k in its_keys)) for its_keys in keys]
    rows, params = [], []
    for delivery, its_keys in zip(deliveries, keys, strict=True):
        for k in its_keys:
            rows.append("(%s, %s, %s, now())")
            params += [provider, k, delivery.pk]
    if not rows:
        return [True] * len(deliveries)
    with connection.cursor() as cursor:
        # A key this same delivery wrote (a replay) comes back as if it were new.
        cursor.execute(
            "INSERT INTO performile_inboundkey (provider, key, delivery_id, created_at)"
            f" VALUES {', '.join(rows)} ON CONFLICT (provider, key) DO UPDATE"
            " SET provider = EXCLUDED.provider"
            " WHERE performile_inboundkey.delivery_id = EXCLUDED.delivery_id"
            " RETURNING delivery_id",
            params,
        )
        recorded = Counter(delivery_id for (delivery_id,) in cursor.fetchall())
    return [
        recorded[delivery.pk] == len(its_keys)
        for delivery, its_keys in zip(deliveries, keys, strict=True)
    ]
