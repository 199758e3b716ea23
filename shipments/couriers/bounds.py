"""What a courier's tracking push may hold: values the tracking tables can store,
checked when the push is read (Courier.read_updates), at the door and again when
it is applied. Types, NUL characters and lone surrogates, and the length of a
tracking number or a courier's code are the sender's error (MalformedPayload,
400); a description or a place too long for its column is shortened, since a
parcel's news matters more than the end of its wording."""

from dataclasses import replace
from datetime import date, datetime

from orders.tracking import TrackingStatus
from performile.webhooks import MalformedPayload, unstorable
from shipments.models import PendingTrackingUpdate, Shipment, TrackingEvent


def _limit(model, name: str) -> int:
    return model._meta.get_field(name).max_length


# A pushed number goes to a parcel, or waits for one (PendingTrackingUpdate).
NUMBER_MAX = min(
    _limit(Shipment, "tracking_number"),
    _limit(PendingTrackingUpdate, "tracking_number"),
)
CODE_MAX = _limit(TrackingEvent, "raw_code")
DESCRIPTION_MAX = _limit(TrackingEvent, "description")
LOCATION_MAX = _limit(TrackingEvent, "location")


def checked(updates: list) -> list:
    """`updates` with over-long texts shortened; MalformedPayload naming the first
    value that cannot be stored."""
    return [_update(update, f"update[{i}]") for i, update in enumerate(updates)]


def _update(update, where: str):
    number = _text(update.tracking_number, f"{where}.tracking_number", NUMBER_MAX)
    if not number:
        raise MalformedPayload(f"'{where}.tracking_number' is required.")
    eta = update.estimated_delivery
    if eta is not None and not isinstance(eta, date):
        raise MalformedPayload(f"'{where}.estimated_delivery' is not a date.")
    events = tuple(
        _event(event, f"{where}.events[{i}]") for i, event in enumerate(update.events)
    )
    return replace(update, tracking_number=number, events=events)


def _event(event, where: str):
    if event.status not in TrackingStatus.values:
        raise MalformedPayload(f"'{where}.status' is not a tracking status.")
    if not isinstance(event.occurred_at, datetime):
        raise MalformedPayload(f"'{where}.occurred_at' is not a date and time.")
    return replace(
        event,
        raw_code=_text(event.raw_code, f"{where}.code", CODE_MAX),
        description=_text(event.description, f"{where}.description")[:DESCRIPTION_MAX],
        location=_text(event.location, f"{where}.location")[:LOCATION_MAX],
    )


def _text(value, where: str, limit: int | None = None) -> str:
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise MalformedPayload(f"'{where}' must be a string.")
    value = str(value)
    if problem := unstorable(value):
        raise MalformedPayload(f"'{where}' {problem}.")
    if limit is not None and len(value) > limit:
        raise MalformedPayload(f"'{where}' is longer than {limit} characters.")
    return value
