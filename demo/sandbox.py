"""Our sandbox parcels, known to the sandbox courier before it starts.

`make run` starts the sandbox courier (`python -m sandbox_courier`) on its state
file, .run/sandbox.json. A parcel it never saw answers every poll with a 404: the
demo's, written straight into the database before the sandbox runs, or any, once
the state file is gone. `sandbox_parcels_sync` adds each open parcel of our sandbox
accounts that the file lacks, with the journey it has had so far, while the
sandbox is stopped; the sandbox carries each journey on from there and posts its
events to our webhook as they happen.

The journey so far is the events we hold when they are the sandbox's own for that
number (the demo writes them so, with `sandbox_journey`); else as far along as the
parcel's status says, spread over the time since it was sent, and the first poll
brings those events in.
"""

from datetime import datetime, timedelta
from pathlib import Path

from django.utils import timezone

from orders.tracking import TrackingStatus as T
from sandbox_courier import journey, persistence, validation
from sandbox_courier.store import Store
from shipments.couriers.base import TrackingUpdate
from shipments.couriers.sandbox import normalize, parse_tracking
from shipments.models import Shipment
from shipments.polling import FINAL

# Statuses a parcel we have no events of may be in, by how far along they are.
NOT_MOVING = (T.PENDING, T.INFO_RECEIVED)


def sandbox_parcels_sync(*, state: Path | str, now: datetime | None = None) -> int:
    """Add the open parcels of our sandbox accounts that the sandbox's state file
    lacks (the sandbox must be stopped); how many were added."""
    now = now or timezone.now()
    shipments = (
        Shipment.objects.filter(account__courier="sandbox")
        .exclude(status__in=FINAL)
        .exclude(tracking_number="")
        .select_related("account", "order")
        .prefetch_related("events")
        .order_by("pk")
    )
    parcels = [_parcel(shipment, now) for shipment in shipments]
    return persistence.add_travelled(Path(state), parcels)


def sandbox_registration(shipment: Shipment) -> dict:
    """The parcel as we would register it at the sandbox (POST /v1/tracking) with
    its account's API key, its destination included so its journey ends there."""
    address = shipment.recipient or shipment.order.delivery_address or {}
    return {
        "api_key": shipment.account.api_key,
        "tracking_number": shipment.tracking_number,
        "notify_url": shipment.account.settings().webhook_url,
        "recipient": {
            "city": address.get("city", ""),
            "country": address.get("country") or "SE",
        },
    }


def sandbox_journey(registration: dict, moves: list[datetime]) -> TrackingUpdate:
    """What the sandbox answers for the registered parcel once it has had as many
    events as `moves`, at those times: its tracking, as our adapter reads it."""
    store = Store()
    parcel = store.add_travelled(
        store.account(registration["api_key"]),
        validation.registration(dict(registration)),
        [moment.timestamp() for moment in moves],
    )
    return parse_tracking(store.tracking(parcel))


def _parcel(shipment: Shipment, now: datetime) -> dict:
    registration = sandbox_registration(shipment)
    plan = _plan(registration)
    events = sorted(shipment.events.all(), key=lambda e: (e.occurred_at, e.pk))
    codes = [event.raw_code for event in events]
    if events and codes == [step.code for step in plan[: len(codes)]]:
        moves = [event.occurred_at for event in events]
    else:
        moves = _moves(shipment, _steps_reached(plan, _status(shipment)), now)
    return {**registration, "moves": [moment.timestamp() for moment in moves]}


def _plan(registration: dict) -> list[journey.Step]:
    parcel = validation.registration(dict(registration))
    service = journey.SERVICES[parcel["service_code"]]
    return journey.plan(
        parcel["tracking_number"],
        service.service_type,
        parcel["sender"],
        parcel["recipient"],
    )


def _status(shipment: Shipment) -> str:
    """How far the parcel is: its own status, else (tracked, no news yet) what its
    order was last told."""
    if shipment.status not in NOT_MOVING:
        return shipment.status
    return shipment.order.tracking_status or shipment.status


def _steps_reached(plan: list[journey.Step], status: str) -> int:
    """How many of the plan's events a parcel in `status` has had: in transit,
    half way through that stretch; otherwise up to the first event in it."""
    if status in NOT_MOVING:
        return 1
    found = [i for i, step in enumerate(plan) if normalize(step.code) == status]
    if not found or status == T.IN_TRANSIT:
        found = [
            i for i, step in enumerate(plan) if normalize(step.code) == T.IN_TRANSIT
        ]
        return found[len(found) // 2] + 1
    return found[0] + 1


def _moves(shipment: Shipment, count: int, now: datetime) -> list[datetime]:
    """`count` moments from when the parcel was sent until a minute ago."""
    sent = [shipment.created_at, shipment.order.tracking_event_at]
    end = now - timedelta(minutes=1)
    start = min(min(moment for moment in sent if moment), end - timedelta(hours=count))
    step = (end - start) / max(count - 1, 1)
    return [start + step * index for index in range(count)]
