"""A parcel of the sandbox courier and the account that booked it: its journey
planned from its tracking number, its events as they fall due."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from sandbox_courier import journey
from sandbox_courier.journey import SERVICES

ZONES = {country: ZoneInfo(name) for country, name in journey.TIME_ZONES.items()}


class Conflict(Exception):
    def __init__(self, message: str, status: int = 409):
        super().__init__(message)
        self.message = message
        self.status = status


class Shipment:
    __slots__ = (
        "id",
        "account",
        "tracking_number",
        "reference",
        "service_code",
        "sender",
        "recipient",
        "parcels",
        "price",
        "currency",
        "eta",
        "notify_url",
        "created_at",
        "moves",
        "cancelled",
        "plan",
        "heap_due",
    )

    def __init__(self, **fields):
        self.cancelled = False
        self.heap_due = None
        for name, value in fields.items():
            setattr(self, name, value)
        self.plan = journey.plan(
            self.tracking_number,
            SERVICES[self.service_code].service_type,
            self.sender,
            self.recipient,
        )

    # The plan is rebuilt from the tracking number; heap_due from the time.
    PERSISTED = tuple(name for name in __slots__ if name not in ("plan", "heap_due"))

    def to_json(self) -> dict:
        row = {name: getattr(self, name) for name in self.PERSISTED}
        row["moves"] = list(self.moves)
        return row

    @property
    def finished(self) -> bool:
        return self.cancelled or len(self.moves) >= len(self.plan)

    @property
    def status(self) -> str:
        if self.cancelled:
            return journey.CANCELLED
        return self.plan[len(self.moves) - 1].code

    def estimated_delivery(self, upto: int | None = None) -> str | None:
        shift = 0
        for step in self.plan[: len(self.moves) if upto is None else upto]:
            if step.eta_shift_days is None:
                return None
            shift = max(shift, step.eta_shift_days)
        if not shift:
            return self.eta
        return journey.add_business_days(
            date.fromisoformat(self.eta), shift
        ).isoformat()

    def event(self, index: int) -> dict:
        step = self.plan[index]
        zone = ZONES.get(step.location[-2:], UTC)
        occurred = datetime.fromtimestamp(self.moves[index], zone)
        return {
            "code": step.code,
            "description": step.description,
            "location": step.location,
            "occurred_at": occurred.isoformat(timespec="milliseconds"),
        }


class Account:
    __slots__ = ("key", "tracking_numbers", "idempotency", "faults", "tokens", "at")

    def __init__(self, key: str):
        self.key = key
        self.tracking_numbers: list[str] = []
        self.idempotency: dict[str, tuple[str, str]] = {}
        self.faults: list[dict] = []
        self.tokens = 0.0
        self.at = 0.0
