"""Bring (Posten Norge): Tracking API v2 and the Booking API (JSON over HTTP).

`account.base_url` is https://api.bring.com. Mybring authenticates every call with
two headers: X-Mybring-API-Uid (the Mybring login, kept in `api_secret`) and
X-Mybring-API-Key (`api_key`), plus X-Bring-Client-URL naming the caller.
See docs/couriers.md.
"""

from __future__ import annotations

from datetime import UTC, datetime

from orders.tracking import TrackingStatus as T
from performile.webhooks import MalformedPayload, parse_json_object
from shipments.couriers.base import (
    Address,
    Booking,
    BookingRequest,
    Courier,
    CourierError,
    CourierUnavailable,
    ServiceOption,
    ServiceType,
    ShipmentNotFound,
    TrackingEvent,
    TrackingUpdate,
)
from shipments.couriers.common import (
    drop_empty,
    join_nonempty,
    json_body,
    map_status,
    ordered_events,
    parse_date,
    parse_datetime,
    raise_for_client_error,
    reading,
    service_table,
    with_price_overrides,
)

TRACK_PATH = "/tracking/api/v2/tracking.json"
BOOK_PATH = "/booking/api/booking"
DEFAULT_CLIENT_URL = "https://github.com/performile"
TIME_ZONE = "Europe/Oslo"  # for Bring times and epoch dates without a zone

# Bring's event statuses (Tracking API and Event Cast event groups).
STATUS_MAP = {
    "PRE_NOTIFIED": T.INFO_RECEIVED,
    "HANDED_IN": T.IN_TRANSIT,
    "COLLECTED": T.IN_TRANSIT,
    "IN_TRANSIT": T.IN_TRANSIT,
    "TERMINAL": T.IN_TRANSIT,
    "INTERNATIONAL": T.IN_TRANSIT,
    "CUSTOMS": T.IN_TRANSIT,
    "TRANSPORT_TO_RECIPIENT": T.OUT_FOR_DELIVERY,
    "ATTEMPTED_DELIVERY": T.ATTEMPT_FAILED,
    # Bring sends the pickup notice when the parcel is at the pickup point.
    "NOTIFICATION_SENT": T.AVAILABLE_FOR_PICKUP,
    "READY_FOR_PICKUP": T.AVAILABLE_FOR_PICKUP,
    "DELIVERED": T.DELIVERED,
    "DEVIATION": T.EXCEPTION,
    "RETURN": T.RETURNED,
    "RETURNED": T.RETURNED,
    "DELIVERED_SENDER": T.RETURNED,
    "UNKNOWN": T.PENDING,
}

# Rough list prices (NOK); Bring products: 5600 Home delivery parcel, 5800 PickUp
# Parcel. Lockers are pickup points, so a locker booking is PickUp Parcel.
SERVICES = service_table(
    "NOK",
    ("home_delivery", "Home delivery / Hjemlevering", ServiceType.HOME, "149.00", 2),
    (
        "pickup_parcel",
        "Pickup parcel / PickUp Parcel",
        ServiceType.PARCEL_SHOP,
        "99.00",
        2,
    ),
    ("locker", "Locker / Pakkeboks", ServiceType.LOCKER, "89.00", 2),
)
PRODUCT_IDS = {"home_delivery": "5600", "pickup_parcel": "5800", "locker": "5800"}


class BringCourier(Courier):
    code = "bring"
    name = "Bring"
    rate_limit_per_s = 5.0
    webhook_secret_header = "X-Bring-Secret"

    def services(self) -> list[ServiceOption]:
        return with_price_overrides(SERVICES.values(), self.account.extra)

    def book(self, request: BookingRequest) -> Booking:
        if request.service_code not in SERVICES:
            raise CourierError(f"Bring has no service '{request.service_code}'.")
        response = self.request(
            "POST",
            self.account.base_url + BOOK_PATH,
            headers=self._headers(),
            json=drop_empty(self._booking_request(request)),
        )
        with reading(self.name):
            body = json_body(response) or {}
            raise_for_client_error(self.name, response, _error_message)
            consignment = (body.get("consignments") or [{}])[0]
            confirmation = consignment.get("confirmation") or {}
            number = confirmation.get("consignmentNumber")
            if consignment.get("errors") or not number:
                detail = _error_message(body) or "no consignment number was returned"
                raise CourierError(
                    f"Bring refused the booking: {detail}", raw=str(body)
                )
            option = next(o for o in self.services() if o.code == request.service_code)
            return Booking(
                tracking_number=number,
                label_pdf=self._label(number, (confirmation.get("links") or {})),
                price=option.price,
                currency=option.currency,
                estimated_delivery=parse_date(
                    (confirmation.get("dateAndTimes") or {}).get("expectedDelivery"),
                    tz=TIME_ZONE,
                ),
                courier_reference=number,
            )

    def cancel(self, booking_reference: str) -> None:
        raise CourierError(
            "Bring bookings cannot be cancelled through the API; a label that is "
            "never handed in is not charged."
        )

    def track(self, tracking_number: str) -> TrackingUpdate:
        response = self.request(
            "GET",
            self.account.base_url + TRACK_PATH,
            headers=self._headers(),
            params={"q": tracking_number},
        )
        raise_for_client_error(self.name, response, _error_message, tracking=True)
        with reading(self.name):
            consignments = (json_body(response) or {}).get("consignmentSet") or []
            found = [c for c in consignments if not c.get("error")]
            if not found:
                error = (consignments or [{}])[0].get("error") or {}
                raise ShipmentNotFound(
                    "Bring does not know this tracking number: "
                    + (error.get("message") or "no shipment found"),
                    raw=response.text,
                )
            events = [e for c in found for e in self._consignment_events(c)]
            return TrackingUpdate(
                tracking_number=tracking_number,
                events=ordered_events(events),
                estimated_delivery=_eta(found[0]),
            )

    def read_webhook(self, body: bytes, headers: dict) -> list[TrackingUpdate]:
        with reading(self.name, webhook=True):
            payload = parse_json_object(body)
            if isinstance(payload.get("consignmentSet"), list):
                updates = [
                    u for c in payload["consignmentSet"] for u in self._updates(c)
                ]
            else:
                updates = self._event_cast_updates(payload)
            if not updates:
                raise MalformedPayload(
                    "Expected 'consignmentSet' or a tracking number with 'eventSet'."
                )
            return updates

    def tracking_url(self, tracking_number: str) -> str:
        return f"https://tracking.bring.com/tracking/{tracking_number}"

    # --- Bring's formats --------------------------------------------------------

    def _headers(self) -> dict:
        return {
            "X-Mybring-API-Uid": self.account.api_secret,
            "X-Mybring-API-Key": self.account.api_key,
            "X-Bring-Client-URL": self.account.extra.get(
                "client_url", DEFAULT_CLIENT_URL
            ),
            "Accept": "application/json",
        }

    def _booking_request(self, request: BookingRequest) -> dict:
        reference = request.idempotency_key or request.reference
        return {
            "schemaVersion": 1,
            "testIndicator": bool(self.account.extra.get("test_mode", False)),
            "consignments": [
                {
                    "correlationId": reference,
                    "shippingDateTime": datetime.now(UTC).isoformat(timespec="seconds"),
                    "parties": {
                        "sender": _party(request.sender, request.reference),
                        "recipient": _party(request.recipient, ""),
                    },
                    "product": {
                        "id": PRODUCT_IDS[request.service_code],
                        "customerNumber": self.account.customer_number,
                    },
                    "packages": [
                        {
                            "correlationId": f"{reference}-{index}",
                            "weightInKg": float(parcel.weight_kg),
                            "dimensions": {
                                "lengthInCm": float(parcel.length_cm) or None,
                                "widthInCm": float(parcel.width_cm) or None,
                                "heightInCm": float(parcel.height_cm) or None,
                            },
                        }
                        for index, parcel in enumerate(request.parcels, start=1)
                    ],
                }
            ],
        }

    def _label(self, number: str, links: dict) -> bytes:
        # The label link carries its own token and redirects to storage: no
        # Mybring headers, so the API key never travels to the storage host.
        if not links.get("labels"):
            raise CourierError(f"Bring booked {number} but returned no label link.")
        response = self.request("GET", links["labels"])
        if response.status_code >= 400 or not response.content:
            raise CourierUnavailable(
                f"Bring booked {number} but its label could not be downloaded "
                f"({response.status_code}).",
                status=response.status_code,
            )
        return response.content

    def _consignment_events(self, consignment: dict):
        for package in consignment.get("packageSet") or []:
            yield from self._events(package.get("eventSet"))

    def _updates(self, consignment: dict) -> list[TrackingUpdate]:
        """One update for the consignment and one per package number, so a push
        finds our shipment whichever number we booked it under."""
        if consignment.get("error"):
            return []
        eta = _eta(consignment)
        updates = []
        if number := consignment.get("consignmentId"):
            events = ordered_events(self._consignment_events(consignment))
            updates.append(TrackingUpdate(number, events, eta))
        for package in consignment.get("packageSet") or []:
            if package.get("packageNumber"):
                events = ordered_events(self._events(package.get("eventSet")))
                updates.append(TrackingUpdate(package["packageNumber"], events, eta))
        return updates

    def _event_cast_updates(self, payload: dict) -> list[TrackingUpdate]:
        number = payload.get("trackingId") or payload.get("packageNumber")
        raw_events = payload.get("eventSet") or payload.get("events") or []
        if isinstance(payload.get("event"), dict):
            raw_events = [payload["event"]]
        if not number or not isinstance(raw_events, list):
            return []
        return [TrackingUpdate(str(number), ordered_events(self._events(raw_events)))]

    def _events(self, raw_events) -> list[TrackingEvent]:
        events = []
        for raw in raw_events or []:
            occurred_at = parse_datetime(raw.get("dateIso"), tz=TIME_ZONE)
            if occurred_at is None or not raw.get("status"):
                continue
            events.append(
                TrackingEvent(
                    status=map_status(STATUS_MAP, raw["status"], courier=self.name),
                    raw_code=raw["status"],
                    occurred_at=occurred_at,
                    description=raw.get("description") or "",
                    location=join_nonempty(raw.get("city"), raw.get("countryCode")),
                )
            )
        return events


def _party(address: Address, reference: str) -> dict:
    return {
        "name": address.company or address.name,
        "addressLine": address.line1,
        "addressLine2": address.line2,
        "postalCode": address.postal_code,
        "city": address.city,
        "countryCode": address.country,
        "reference": reference,
        "contact": {
            "name": address.name,
            "email": address.email,
            "phoneNumber": address.phone,
        },
    }


def _eta(consignment: dict):
    packages = consignment.get("packageSet") or [{}]
    return parse_date(packages[0].get("dateOfEstimatedDelivery"))


def _error_message(body) -> str:
    """Bring's words: the booking's consignments[].errors[].messages[] (English
    first), else the tracking API's consignmentSet[].error.message or `message`."""
    if not isinstance(body, dict):
        return ""
    texts = []
    for consignment in body.get("consignments") or []:
        for error in consignment.get("errors") or []:
            messages = error.get("messages") or [{}]
            english = [m for m in messages if m.get("lang") == "en"] or messages
            texts.append(english[0].get("message") or error.get("code"))
    tracking_errors = [c.get("error") or {} for c in body.get("consignmentSet") or []]
    texts += [error.get("message") for error in tracking_errors]
    return join_nonempty(*texts, sep="; ") or str(body.get("message") or "")
