"""The sandbox courier's state: accounts, shipments, and parcels moving in time.

Everything sits in dicts under one lock; a request does a dict lookup and touches
one shipment, never a scan, so tracking stays cheap at 100,000 parcels.

Time: a parcel's next event is due `gap / speed` seconds after its previous event
(or after the last speed change, whichever is later). Events are applied lazily,
when the parcel is read, and on schedule by a background thread for parcels with a
`notify_url`, whose receivers must hear of events as they happen. An event's
`occurred_at` is the moment it was due, so a late reader sees the true history.
Speed 0 freezes every parcel; then only the control endpoint moves them.
"""

from __future__ import annotations

import hashlib
import heapq
import itertools
import json
import logging
import secrets
import threading
import time
from datetime import UTC, datetime
from decimal import Decimal

from sandbox_courier import journey
from sandbox_courier.journey import SERVICES
from sandbox_courier.shipment import ZONES, Account, Conflict, Shipment

logger = logging.getLogger("sandbox")
SCHEDULER_BATCH = 500  # events applied per lock hold, so requests get a turn


class Store:
    def __init__(self, *, speed: float = 1.0, notifier=None, rate_limit: float = 0):
        self.cond = threading.Condition()
        self.speed = speed
        self.speed_changed_at = time.time()
        self.notifier = notifier
        self.rate_limit = rate_limit
        self.shipments: dict[str, Shipment] = {}
        self.by_id: dict[str, str] = {}
        self.accounts: dict[str, Account] = {}
        self.heap: list[tuple[float, int, str]] = []
        self.seq = itertools.count()
        self.dirty = False
        self.stopping = False

    # --- accounts ------------------------------------------------------------

    def account(self, key: str) -> Account:
        account = self.accounts.get(key)
        if account is None:
            account = self.accounts.setdefault(key, Account(key))
        return account

    def take_token(self, account: Account) -> float:
        """0 when the request may go ahead, else seconds until it may."""
        if self.rate_limit <= 0:
            return 0.0
        with self.cond:
            now = time.monotonic()
            burst = max(1.0, self.rate_limit)
            account.tokens = min(
                burst, account.tokens + (now - account.at) * self.rate_limit
            )
            account.at = now
            if account.tokens >= 1:
                account.tokens -= 1
                return 0.0
            return (1 - account.tokens) / self.rate_limit

    def take_fault(self, account: Account, path: str) -> dict | None:
        if not account.faults:
            return None
        with self.cond:
            for fault in account.faults:
                if path.startswith(fault.get("path", "/")):
                    fault["count"] -= 1
                    if fault["count"] <= 0:
                        account.faults.remove(fault)
                    return fault
        return None

    # --- shipments -----------------------------------------------------------

    def book(self, account: Account, booking: dict, *, idempotency_key: str = ""):
        """(shipment, replayed). Conflict when the key was used for another body."""
        fingerprint = hashlib.sha256(
            json.dumps(booking, sort_keys=True).encode()
        ).hexdigest()
        with self.cond:
            if idempotency_key:
                seen = account.idempotency.get(idempotency_key)
                if seen and seen[0] != fingerprint:
                    raise Conflict(
                        "Idempotency-Key was already used for a different request.",
                        status=422,
                    )
                if seen and seen[1] in self.shipments:
                    return self.shipments[seen[1]], True
            shipment = self._create(account, booking, time.time())
            if idempotency_key:
                account.idempotency[idempotency_key] = (
                    fingerprint,
                    shipment.tracking_number,
                )
            return shipment, False

    def seed(self, account: Account, booking: dict, count: int) -> list[str]:
        """Book `count` copies of one booking (for benchmarks); their numbers."""
        numbers = []
        while len(numbers) < count:
            with self.cond:  # in slices, so requests are served meanwhile
                for _ in range(min(1000, count - len(numbers))):
                    shipment = self._create(account, booking, time.time())
                    numbers.append(shipment.tracking_number)
        return numbers

    def register(self, account: Account, registration: dict) -> tuple[Shipment, bool]:
        """(shipment, created) for a number booked elsewhere, to be tracked here.
        Registering it again changes only where its events go; Conflict when
        another account has that number."""
        number = registration.pop("tracking_number")
        with self.cond:
            shipment = self.shipments.get(number)
            if shipment is not None:
                if shipment.account != account.key:
                    raise Conflict(f"{number} is another account's parcel.")
                if registration["notify_url"]:
                    shipment.notify_url = registration["notify_url"]
                    self.dirty = True
                    self.schedule(shipment)
                return shipment, False
            return self._create(account, registration, time.time(), number), True

    def add_travelled(
        self, account: Account, registration: dict, moves: list[float]
    ) -> Shipment | None:
        """A number booked elsewhere that has travelled already: tracked here from
        its first `moves` (the times its first events happened, none of them
        posted), carrying on from there. None when the number is known."""
        number = registration.pop("tracking_number")
        with self.cond:
            if number in self.shipments:
                return None
            return self._create(account, registration, moves[0], number, moves)

    def _create(
        self,
        account: Account,
        booking: dict,
        now: float,
        tracking_number="",
        moves: list[float] | None = None,
    ) -> Shipment:
        service = SERVICES[booking["service_code"]]
        origin = booking["sender"]["country"]
        dest = booking["recipient"]["country"]
        weights = [Decimal(p["weight_kg"]) for p in booking["parcels"]]
        amount, currency = journey.price(service, origin, dest, weights)
        eta = journey.add_business_days(
            datetime.fromtimestamp(now, ZONES.get(origin, UTC)).date(),
            journey.transit_days(service, origin, dest),
        )
        shipment = Shipment(
            id="shp_" + secrets.token_hex(8),
            account=account.key,
            tracking_number=tracking_number or self._new_tracking_number(),
            price=f"{amount:.2f}",
            currency=currency,
            eta=eta.isoformat(),
            created_at=datetime.fromtimestamp(now, UTC).isoformat(),
            moves=[],
            **booking,
        )
        self.add(shipment, account)
        if moves:
            shipment.moves = [round(at, 3) for at in moves[: len(shipment.plan)]]
        else:
            self._apply(shipment, now)
        self.schedule(shipment)
        return shipment

    def _new_tracking_number(self) -> str:
        while True:
            digits = f"{secrets.randbelow(10**9):09d}"
            number = f"SBX{digits}{_check_digit(digits)}"
            if number not in self.shipments:
                return number

    def add(self, shipment: Shipment, account: Account):
        self.shipments[shipment.tracking_number] = shipment
        self.by_id[shipment.id] = shipment.tracking_number
        account.tracking_numbers.append(shipment.tracking_number)
        self.dirty = True

    def get(self, account: Account, key: str) -> Shipment | None:
        """By tracking number or shipment id, brought up to date; None when it is
        unknown or another account's."""
        with self.cond:
            shipment = self.shipments.get(key) or self.shipments.get(
                self.by_id.get(key, "")
            )
            if shipment is None or shipment.account != account.key:
                return None
            self._catch_up(shipment, time.time())
            return shipment

    def public(self, tracking_number: str) -> Shipment | None:
        with self.cond:
            shipment = self.shipments.get(tracking_number)
            if shipment is not None:
                self._catch_up(shipment, time.time())
            return shipment

    def tracking(self, shipment: Shipment) -> dict:
        with self.cond:
            return {
                "tracking_number": shipment.tracking_number,
                "shipment_id": shipment.id,
                "service_code": shipment.service_code,
                "status": shipment.status,
                "estimated_delivery": shipment.estimated_delivery(),
                "events": [shipment.event(i) for i in range(len(shipment.moves))],
            }

    def booked_under(self, account: Account, idempotency_key: str) -> Shipment | None:
        """The live booking made with that Idempotency-Key, if any."""
        with self.cond:
            seen = account.idempotency.get(idempotency_key)
            shipment = self.shipments.get(seen[1]) if seen else None
            if shipment is None or shipment.cancelled:
                return None
            return shipment

    def cancel(self, account: Account, shipment_id: str) -> Shipment | None:
        with self.cond:
            shipment = self.get(account, shipment_id)
            if shipment is None:
                return None
            if len(shipment.moves) > 1 and not shipment.cancelled:
                raise Conflict(
                    f"Shipment {shipment.tracking_number} has been picked up "
                    f"({shipment.status}) and can no longer be cancelled."
                )
            shipment.cancelled = True
            self.dirty = True
            return shipment

    # --- movement ------------------------------------------------------------

    def _due(self, shipment: Shipment) -> float | None:
        if shipment.finished or self.speed <= 0:
            return None
        start = max(shipment.moves[-1], self.speed_changed_at)
        return start + shipment.plan[len(shipment.moves)].gap_s / self.speed

    def _catch_up(self, shipment: Shipment, now: float):
        while (due := self._due(shipment)) is not None and due <= now:
            self._apply(shipment, due)

    def _apply(self, shipment: Shipment, at: float):
        if shipment.moves:
            at = max(at, shipment.moves[-1] + 0.001)  # strictly increasing times
        shipment.moves.append(round(at, 3))
        self.dirty = True
        if shipment.notify_url and self.notifier is not None:
            index = len(shipment.moves) - 1
            event_id = f"{shipment.tracking_number}-{index}"
            body = {
                "id": event_id,
                "tracking_number": shipment.tracking_number,
                "status": shipment.status,
                "event": shipment.event(index),
                "estimated_delivery": shipment.estimated_delivery(),
            }
            self.notifier.send(
                url=shipment.notify_url,
                body=json.dumps(body, ensure_ascii=False).encode(),
                api_key=shipment.account,
                event_id=event_id,
                key=shipment.tracking_number,
                first=index == 0,
            )

    def schedule(self, shipment: Shipment):
        if not shipment.notify_url:
            return
        due = self._due(shipment)
        if due is None or due == shipment.heap_due:
            return
        shipment.heap_due = due
        heapq.heappush(self.heap, (due, next(self.seq), shipment.tracking_number))
        if self.heap[0][2] == shipment.tracking_number:
            self.cond.notify_all()

    def advance(self, shipment: Shipment, *, steps: int = 1, until: str = "") -> int:
        """Apply the next `steps` events now (or up to the first `until` event);
        the number applied."""
        with self.cond:
            now = time.time()
            self._catch_up(shipment, now)
            applied = 0
            while not shipment.finished and (applied < steps or until):
                self._apply(shipment, now)
                applied += 1
                if until and shipment.status == until:
                    break
            self.schedule(shipment)
            return applied

    def advance_all(self, account: Account, *, steps: int = 1, until: str = "") -> int:
        moved = 0
        for number in list(account.tracking_numbers):
            shipment = self.shipments.get(number)
            if shipment is not None and not shipment.finished:
                moved += bool(self.advance(shipment, steps=steps, until=until))
        return moved

    def set_speed(self, speed: float):
        """Bring every parcel up to date at the old speed, then change it."""
        with self.cond:
            now = time.time()
            for shipment in self.shipments.values():
                self._catch_up(shipment, now)
            self.speed, self.speed_changed_at = speed, now
            self.heap.clear()
            for shipment in self.shipments.values():
                shipment.heap_due = None
                self.schedule(shipment)
            self.cond.notify_all()

    def run_scheduler(self):
        """Apply due events of parcels with a notify_url, as they fall due."""
        with self.cond:
            while not self.stopping:
                now = time.time()
                done = 0
                while self.heap and self.heap[0][0] <= now and done < SCHEDULER_BATCH:
                    due, _, number = heapq.heappop(self.heap)
                    shipment = self.shipments.get(number)
                    if shipment is None or shipment.heap_due != due:
                        continue  # superseded by an advance or a speed change
                    shipment.heap_due = None
                    self._catch_up(shipment, now)
                    self.schedule(shipment)
                    done += 1
                if done >= SCHEDULER_BATCH:
                    wait = 0.0
                else:
                    wait = min(self.heap[0][0] - now, 5.0) if self.heap else 5.0
                self.cond.wait(max(wait, 0.0))


def _check_digit(digits: str) -> int:
    """Luhn check digit, so a mistyped number is rarely another parcel's."""
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char) * (2 if index % 2 == 0 else 1)
        total += value - 9 if value > 9 else value
    return (10 - total % 10) % 10
