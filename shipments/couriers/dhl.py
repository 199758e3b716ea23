"""DHL: Shipment Tracking - Unified, for tracking parcels of any DHL division.

`account.base_url` is https://api-eu.dhl.com and `api_key` the DHL-API-Key of an
app on developer.dhl.com. Unified tracking has no booking: DHL bookings go through
a karrio DHL account. See docs/couriers.md.
"""

from __future__ import annotations

from orders.tracking import TrackingStatus as T
from performile.webhooks import MalformedPayload, parse_json_object
from shipments.couriers.base import (
    Booking,
    BookingRequest,
    Courier,
    CourierError,
    ServiceOption,
    ShipmentNotFound,
    TrackingEvent,
    TrackingUpdate,
)
from shipments.couriers.common import (
    json_body,
    map_status,
    ordered_events,
    parse_date,
    parse_datetime,
    raise_for_client_error,
    reading,
)

TRACK_PATH = "/track/shipments"
NO_BOOKING = (
    "Booking DHL shipments is not available through this account; "
    "use a karrio DHL account."
)

STATUS_MAP = {
    "PRE-TRANSIT": T.INFO_RECEIVED,
    "TRANSIT": T.IN_TRANSIT,
    "DELIVERED": T.DELIVERED,
    "FAILURE": T.EXCEPTION,
    "UNKNOWN": T.PENDING,
}

# DHL's five codes say nothing of the last mile; its English event texts do.
# Checked in this order, only on transit and failure events.
REFINEMENTS = (
    (
        T.AVAILABLE_FOR_PICKUP,
        (
            "ready for pickup",
            "ready for collection",
            "available for pickup",
            "available for collection",
            "awaiting collection",
            "can be picked up",
        ),
    ),
    (
        T.ATTEMPT_FAILED,
        (
            "delivery attempt",
            "attempted delivery",
            "could not be delivered",
            "recipient not at home",
            "recipient was not available",
        ),
    ),
    (
        T.OUT_FOR_DELIVERY,
        (
            "out for delivery",
            "with delivery courier",
            "loaded onto the delivery vehicle",
            "on its way to the recipient",
        ),
    ),
)
REFINABLE = {"TRANSIT", "FAILURE"}


def dhl_status(status_code: str, text: str) -> T:
    """Our status for a DHL event: its statusCode, refined by its words."""
    base = map_status(STATUS_MAP, status_code, courier="DHL", fallback=T.PENDING)
    if (status_code or "").upper() in REFINABLE:
        lowered = text.lower()
        for status, phrases in REFINEMENTS:
            if any(phrase in lowered for phrase in phrases):
                return status
    return base


class DhlCourier(Courier):
    code = "dhl"
    name = "DHL"
    # The Unified API's starter quota: 1 call per 5 s (and 250 a day) per app.
    rate_limit_per_s = 0.2
    # DHL's guidance: fetch one shipment at most 10 times a day.
    max_polls_per_day = 10
    webhook_secret_header = "X-DHL-Secret"

    def services(self) -> list[ServiceOption]:
        return []

    def book(self, request: BookingRequest) -> Booking:
        raise CourierError(NO_BOOKING)

    def cancel(self, booking_reference: str) -> None:
        raise CourierError(NO_BOOKING)

    def track(self, tracking_number: str) -> TrackingUpdate:
        params = {"trackingNumber": tracking_number, "language": "en"}
        if service := self.account.extra.get("service"):
            params["service"] = service  # e.g. "parcel-de", "express"
        response = self.request(
            "GET",
            self.account.base_url + TRACK_PATH,
            headers={"DHL-API-Key": self.account.api_key, "Accept": "application/json"},
            params=params,
        )
        raise_for_client_error(self.name, response, _problem, tracking=True)
        with reading(self.name):
            shipments = (json_body(response) or {}).get("shipments") or []
            if not shipments:
                raise ShipmentNotFound(
                    "DHL does not know this tracking number.", raw=response.text
                )
            return TrackingUpdate(
                tracking_number=tracking_number,
                events=ordered_events(e for s in shipments for e in self._events(s)),
                estimated_delivery=_eta(shipments[0]),
            )

    def read_webhook(self, body: bytes, headers: dict) -> list[TrackingUpdate]:
        """DHL's push notifications carry shipments as the Unified API returns them."""
        with reading(self.name, webhook=True):
            shipments = parse_json_object(body).get("shipments")
            if not isinstance(shipments, list) or not shipments:
                raise MalformedPayload(
                    "Expected 'shipments' with at least one shipment."
                )
            updates = [
                TrackingUpdate(str(s["id"]), ordered_events(self._events(s)), _eta(s))
                for s in shipments
                if isinstance(s, dict) and s.get("id")
            ]
            if not updates:
                raise MalformedPayload("Each shipment needs an 'id'.")
            return updates

    def tracking_url(self, tracking_number: str) -> str:
        return (
            "https://www.dhl.com/global-en/home/tracking/tracking-parcel.html"
            f"?submit=1&tracking-id={tracking_number}"
        )

    def _events(self, shipment: dict) -> list[TrackingEvent]:
        # DHL may omit the offset; such times are read in the account's zone.
        zone = self.account.extra.get("time_zone", "UTC")
        events = []
        for raw in shipment.get("events") or []:
            occurred_at = parse_datetime(raw.get("timestamp"), tz=zone)
            if occurred_at is None:
                continue
            code = raw.get("statusCode") or "unknown"
            text = " ".join(
                str(raw.get(key) or "") for key in ("status", "description", "remark")
            )
            address = (raw.get("location") or {}).get("address") or {}
            events.append(
                TrackingEvent(
                    status=dhl_status(code, text),
                    raw_code=code,
                    occurred_at=occurred_at,
                    description=raw.get("description") or raw.get("status") or "",
                    location=address.get("addressLocality") or "",
                )
            )
        return events


def _eta(shipment: dict):
    frame = shipment.get("estimatedDeliveryTimeFrame") or {}
    return parse_date(
        shipment.get("estimatedTimeOfDelivery") or frame.get("estimatedThrough")
    )


def _problem(body) -> str:
    """DHL errors are RFC 7807 problems: {"title", "status", "detail"}."""
    if not isinstance(body, dict):
        return ""
    return str(body.get("detail") or body.get("title") or "")
