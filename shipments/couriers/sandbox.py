"""Adapter for the sandbox courier (`python -m sandbox_courier`, docs/couriers.md).

Account settings: `base_url` (e.g. http://127.0.0.1:8090) and any non-empty
`api_key`. The sandbox signs webhooks with the API key; a `webhook_secret` on the
account takes precedence when set. The account's `webhook_url` is sent with each
booking so the sandbox posts tracking events there; `extra["country"]` is the default
origin for the services listing.
"""

from __future__ import annotations

import base64
import binascii
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from urllib.parse import quote

from orders.tracking import TrackingStatus
from performile.webhooks import (
    BadSignature,
    MalformedPayload,
    hex_hmac,
    parse_json_object,
    signature_matches,
)
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
    header_value,
    json_body,
    map_status,
    raise_for_client_error,
    reading,
)

T = TrackingStatus

STATUS_MAP = {
    "BOOKED": T.INFO_RECEIVED,
    "PICKED_UP": T.IN_TRANSIT,
    "IN_TRANSIT": T.IN_TRANSIT,
    "OUT_FOR_DELIVERY": T.OUT_FOR_DELIVERY,
    "AVAILABLE_FOR_PICKUP": T.AVAILABLE_FOR_PICKUP,
    "DELIVERY_ATTEMPT_FAILED": T.ATTEMPT_FAILED,
    "DELIVERED": T.DELIVERED,
    "EXCEPTION": T.EXCEPTION,
    "RETURNED": T.RETURNED,
}
SIGNATURE_HEADER = "X-Sandbox-Signature"


def normalize(code: str) -> TrackingStatus:
    """A code we do not know is logged and read as in transit (as in every adapter):
    it never finishes, escalates or rewinds an order, and the raw code is kept."""
    return map_status(STATUS_MAP, code, courier="sandbox")


class SandboxCourier(Courier):
    code = "sandbox"
    name = "Sandbox courier"
    # The sandbox itself sets no limit; the polling benchmark needs >= 200/s.
    rate_limit_per_s = 500.0

    def services(
        self, *, from_country: str = "", to_country: str = ""
    ) -> list[ServiceOption]:
        origin = from_country or self.account.extra.get("country") or "SE"
        data = self._call(
            "GET", "/v1/services", params={"from": origin, "to": to_country or origin}
        )
        with reading(self.name):
            return [
                ServiceOption(
                    code=row["code"],
                    name=row["name"],
                    service_type=row["service_type"],
                    price=_money(row["price"]),
                    currency=row["currency"],
                    transit_days=int(row["transit_days"]),
                )
                for row in data["services"]
            ]

    def book(self, request: BookingRequest) -> Booking:
        payload = {
            "reference": request.reference,
            "service_code": request.service_code,
            "sender": _address(request.sender),
            "recipient": _address(request.recipient),
            "parcels": [
                {
                    "weight_kg": str(parcel.weight_kg),
                    "length_cm": str(parcel.length_cm),
                    "width_cm": str(parcel.width_cm),
                    "height_cm": str(parcel.height_cm),
                }
                for parcel in request.parcels
            ],
        }
        if self.account.webhook_url:
            payload["notify_url"] = self.account.webhook_url
        headers = {}
        if request.idempotency_key:
            headers["Idempotency-Key"] = request.idempotency_key
        data = self._call("POST", "/v1/shipments", json=payload, headers=headers)
        return self._booking(data)

    def find_booking(self, idempotency_key: str) -> Booking | None:
        data = self._call(
            "GET", "/v1/shipments", params={"idempotency_key": idempotency_key}
        )
        with reading(self.name):
            rows = data["shipments"]
        return self._booking(rows[0]) if rows else None

    def _booking(self, data: dict) -> Booking:
        with reading(self.name):
            eta = data.get("estimated_delivery")
            return Booking(
                tracking_number=data["tracking_number"],
                label_pdf=self._label(data["label_pdf"]),
                price=_money(data["price"]),
                currency=data["currency"],
                estimated_delivery=date.fromisoformat(eta) if eta else None,
                courier_reference=data["id"],
            )

    def cancel(self, booking_reference: str) -> None:
        path = f"/v1/shipments/{quote(booking_reference, safe='')}"
        self._call("DELETE", path, missing=f"no booking {booking_reference}")

    def track(self, tracking_number: str) -> TrackingUpdate:
        path = f"/v1/tracking/{quote(tracking_number, safe='')}"
        data = self._call("GET", path, tracking=True)
        try:
            return parse_tracking(data)
        except MalformedPayload as exc:
            raise CourierError(
                f"{self.name} answered in an unexpected format: {exc.message}"
            ) from exc

    def register_tracking(self, tracking_number: str) -> None:
        """The sandbox plays a journey for the number (as if another system had
        booked it) and posts its events to the account's webhook URL."""
        payload = {"tracking_number": tracking_number}
        if self.account.webhook_url:
            payload["notify_url"] = self.account.webhook_url
        self._call("POST", "/v1/tracking", json=payload)

    def verify_webhook(self, body: bytes, headers) -> None:
        secret = self.account.webhook_secret or self.account.api_key
        if not secret:
            raise BadSignature("No webhook secret or API key is set for this account.")
        given = header_value(headers, SIGNATURE_HEADER)
        algorithm, _, digest = given.partition("=")
        if algorithm != "sha256" or not signature_matches(
            hex_hmac(secret, body), digest
        ):
            raise BadSignature(f"{SIGNATURE_HEADER} does not match the body.")

    def read_webhook(self, body: bytes, headers) -> list[TrackingUpdate]:
        payload = parse_json_object(body)
        event = payload.get("event")
        if not isinstance(event, dict):
            raise MalformedPayload("'event' must be an object.")
        return [
            parse_tracking(
                {
                    "tracking_number": payload.get("tracking_number"),
                    "estimated_delivery": payload.get("estimated_delivery"),
                    "events": [event],
                }
            )
        ]

    def tracking_url(self, tracking_number: str) -> str:
        return f"{self.account.base_url.rstrip('/')}/track/{quote(tracking_number)}"

    # --- HTTP ----------------------------------------------------------------

    def _call(
        self, method: str, path: str, *, tracking=False, missing="", **kwargs
    ) -> dict:
        headers = {
            "Authorization": f"Bearer {self.account.api_key}",
            "Accept": "application/json",
            **kwargs.pop("headers", {}),
        }
        url = self.account.base_url.rstrip("/") + path
        response = self.request(method, url, headers=headers, **kwargs)
        if missing and response.status_code == 404:
            raise ShipmentNotFound(
                f"{self.name} has {missing}.", status=404, raw=response.text
            )
        raise_for_client_error(self.name, response, _message, tracking=tracking)
        if response.status_code == 204:
            return {}
        body = json_body(response)
        if body is None:
            raise CourierError(
                f"{self.name} answered in an unexpected format.",
                status=response.status_code,
                raw=response.text,
            )
        return body

    def _label(self, encoded: str) -> bytes:
        try:
            pdf = base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise CourierError(f"{self.name} sent a label that is not base64.") from exc
        if not pdf.startswith(b"%PDF-"):
            raise CourierError(f"{self.name} sent a label that is not a PDF.")
        return pdf


def parse_tracking(data: dict) -> TrackingUpdate:
    """The sandbox's tracking of one parcel (GET /v1/tracking/<number>), read."""
    number = data.get("tracking_number")
    if not isinstance(number, str) or not number:
        raise MalformedPayload("'tracking_number' is required.")
    events = data.get("events")
    if not isinstance(events, list):
        raise MalformedPayload("'events' must be a list.")
    return TrackingUpdate(
        tracking_number=number,
        events=tuple(_event(event, index) for index, event in enumerate(events)),
        estimated_delivery=_date(data.get("estimated_delivery")),
    )


def _event(event, index: int) -> TrackingEvent:
    if not isinstance(event, dict):
        raise MalformedPayload(f"events[{index}] must be an object.")
    code = event.get("code")
    if not isinstance(code, str) or not code:
        raise MalformedPayload(f"events[{index}].code is required.")
    try:
        occurred_at = datetime.fromisoformat(event.get("occurred_at") or "")
    except (TypeError, ValueError) as exc:
        raise MalformedPayload(
            f"events[{index}].occurred_at must be an ISO 8601 time."
        ) from exc
    if occurred_at.tzinfo is None:
        raise MalformedPayload(f"events[{index}].occurred_at has no time zone.")
    return TrackingEvent(
        status=normalize(code),
        raw_code=code,
        occurred_at=occurred_at.astimezone(UTC),
        description=str(event.get("description") or "")[:500],
        location=str(event.get("location") or "")[:200],
    )


def _address(address) -> dict:
    fields = ("name", "company", "line1", "line2", "postal_code", "city", "country")
    fields += ("phone", "email")
    return {name: getattr(address, name) for name in fields if getattr(address, name)}


def _message(body) -> str:
    """The sandbox's own words: {"error": {"message": ...}}."""
    error = (body or {}).get("error")
    return str(error.get("message") or "") if isinstance(error, dict) else ""


def _money(value) -> Decimal:
    try:
        return Decimal(str(value))
    except InvalidOperation as exc:
        raise ValueError(f"not an amount: {value!r}") from exc


def _date(value) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError) as exc:
        raise MalformedPayload(
            f"'estimated_delivery' must be a date, not {value!r}."
        ) from exc
