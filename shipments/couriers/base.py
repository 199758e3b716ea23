"""The one courier interface every adapter implements.

An adapter turns our requests into a courier's API calls and its answers into these
dataclasses. It never touches the database: services pass it what it needs (the
merchant's courier account settings) and store what it returns. Every HTTP call has
a connect and a read timeout; every failure comes back as a `CourierError`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

import requests

from orders.tracking import TrackingStatus

# (connect, read) seconds for every courier HTTP call.
DEFAULT_TIMEOUT = (3.05, 10)


class ServiceType:
    HOME = "home_delivery"
    PARCEL_SHOP = "parcel_shop"
    LOCKER = "locker"
    CHOICES = [
        (HOME, "Home delivery"),
        (PARCEL_SHOP, "Parcel shop"),
        (LOCKER, "Parcel locker"),
    ]


class CourierError(Exception):
    """A courier refused or failed a request; `message` is fit to show a merchant."""

    retryable = False

    def __init__(self, message: str, *, status: int | None = None, raw: str = ""):
        super().__init__(message)
        self.message = message
        self.status = status
        self.raw = raw[:2000]


class CourierUnavailable(CourierError):
    """Down, timed out or answering 5xx: worth retrying later."""

    retryable = True


class CourierUnanswered(CourierUnavailable):
    """The request was sent and no answer came (a read timeout, a 5xx): the courier
    may have done what we asked."""


class CourierRateLimited(CourierUnavailable):
    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs):
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


class ShipmentNotFound(CourierError):
    """The courier does not know this tracking number (yet)."""


@dataclass(frozen=True)
class AccountSettings:
    """A merchant's account with a courier, as the adapter needs it."""

    base_url: str
    api_key: str = ""
    api_secret: str = ""
    customer_number: str = ""
    webhook_secret: str = ""
    # Where the courier should send tracking events for this account (ours).
    webhook_url: str = ""
    extra: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Address:
    name: str
    line1: str
    postal_code: str
    city: str
    country: str
    line2: str = ""
    company: str = ""
    phone: str = ""
    email: str = ""

    @classmethod
    def from_dict(cls, data: dict) -> Address:
        known = cls.__dataclass_fields__
        return cls(**{key: str(value) for key, value in data.items() if key in known})


@dataclass(frozen=True)
class Parcel:
    weight_kg: Decimal
    length_cm: Decimal = Decimal("0")
    width_cm: Decimal = Decimal("0")
    height_cm: Decimal = Decimal("0")


@dataclass(frozen=True)
class ServiceOption:
    """A service a courier offers, with a rough price and transit time."""

    code: str
    name: str
    service_type: str
    price: Decimal
    currency: str
    transit_days: int


@dataclass(frozen=True)
class BookingRequest:
    reference: str  # our order number, printed on the label
    service_code: str
    sender: Address
    recipient: Address
    parcels: tuple[Parcel, ...]
    idempotency_key: str = ""


@dataclass(frozen=True)
class Booking:
    tracking_number: str
    label_pdf: bytes
    price: Decimal | None = None
    currency: str = ""
    estimated_delivery: date | None = None
    courier_reference: str = ""  # the courier's own shipment id, for cancelling


@dataclass(frozen=True)
class TrackingEvent:
    """One event in a parcel's life, normalized, with the courier's code beside it."""

    status: TrackingStatus
    raw_code: str
    occurred_at: datetime
    description: str = ""
    location: str = ""


@dataclass(frozen=True)
class TrackingUpdate:
    tracking_number: str
    events: tuple[TrackingEvent, ...]
    estimated_delivery: date | None = None


class Courier:
    """Base class of the adapters. `code` names the adapter in CourierAccount rows."""

    code = ""
    name = ""
    # Requests a second the courier allows per account (polling respects it).
    rate_limit_per_s: float = 5.0
    # The courier's guidance on tracking requests per shipment per day, if any.
    max_polls_per_day: int | None = None

    def __init__(
        self, account: AccountSettings, *, session: requests.Session | None = None
    ):
        self.account = account
        self.session = session or requests.Session()

    def services(self) -> list[ServiceOption]:
        raise NotImplementedError

    def book(self, request: BookingRequest) -> Booking:
        raise NotImplementedError

    def cancel(self, booking_reference: str) -> None:
        raise NotImplementedError

    def find_booking(self, idempotency_key: str) -> Booking | None:
        """The booking made with that idempotency key, or None when there is none:
        how a booking whose answer timed out is reconciled (shipments.reconcile).
        NotImplementedError when the courier offers no such lookup."""
        raise NotImplementedError

    def track(self, tracking_number: str) -> TrackingUpdate:
        raise NotImplementedError

    def register_tracking(self, tracking_number: str) -> None:
        """Ask the courier to push its news of a number we did not book (to the
        account's webhook_url). Couriers that push every number of the account, or
        that we only poll, need nothing: the default does nothing."""
        return None

    def parse_webhook(self, body: bytes, headers: dict) -> list[TrackingUpdate]:
        """Verify and read a courier webhook. Raises performile.webhooks'
        BadSignature or MalformedPayload."""
        self.verify_webhook(body, headers)
        return self.read_updates(body, headers)

    def read_updates(self, body: bytes, headers: dict) -> list[TrackingUpdate]:
        """The updates of a verified webhook, checked against what the tracking
        tables hold (shipments/couriers/bounds.py)."""
        from shipments.couriers.bounds import checked  # imports the models

        return checked(self.read_webhook(body, headers))

    def verify_webhook(self, body: bytes, headers: dict) -> None:
        """Raise BadSignature unless the courier sent it. Default: the shared-secret
        header of couriers that do not sign (docs/couriers.md)."""
        from shipments.couriers.common import require_shared_secret  # uses this module

        require_shared_secret(self, headers)

    def read_webhook(self, body: bytes, headers: dict) -> list[TrackingUpdate]:
        """The updates in a verified webhook (read again when it is applied)."""
        raise NotImplementedError

    def tracking_url(self, tracking_number: str) -> str:
        raise NotImplementedError

    # --- shared HTTP handling ---------------------------------------------------

    def request(self, method: str, url: str, **kwargs) -> requests.Response:
        """One HTTP call with timeouts; courier failures become CourierErrors."""
        kwargs.setdefault("timeout", DEFAULT_TIMEOUT)
        try:
            response = self.session.request(method, url, **kwargs)
        except requests.ReadTimeout as exc:
            raise CourierUnanswered(f"{self.name} did not answer in time.") from exc
        except requests.Timeout as exc:
            raise CourierUnavailable(
                f"{self.name} could not be reached in time."
            ) from exc
        except requests.RequestException as exc:
            raise CourierUnavailable(f"{self.name} could not be reached.") from exc
        if response.status_code == 429:
            raise CourierRateLimited(
                f"{self.name} asks us to slow down.",
                retry_after=_retry_after(response),
                status=429,
                raw=response.text,
            )
        if response.status_code >= 500:
            raise CourierUnanswered(
                f"{self.name} had an error ({response.status_code}).",
                status=response.status_code,
                raw=response.text,
            )
        return response


def _retry_after(response: requests.Response) -> float | None:
    value = response.headers.get("Retry-After", "")
    try:
        return max(0.0, float(value))
    except ValueError:
        return None
