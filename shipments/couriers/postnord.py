"""PostNord: Track & Trace v5 for tracking, the Booking (EDI) API v3 for labels.

`account.base_url` is the API host (https://api2.postnord.com, or
https://atapi2.postnord.com for PostNord's test environment); every call carries
`apikey` as a query parameter, as PostNord documents. See docs/couriers.md.
"""

from __future__ import annotations

import base64
import binascii
from datetime import UTC, datetime

from orders.tracking import TrackingStatus as T
from performile.webhooks import MalformedPayload, parse_json_object
from shipments.couriers.base import (
    Address,
    Booking,
    BookingRequest,
    Courier,
    CourierError,
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

TRACK_PATH = "/rest/shipment/v5/trackandtrace/findByIdentifier.json"
BOOK_PATH = "/rest/shipment/v3/edi/labels/pdf"
EDI_PATH = "/rest/shipment/v3/edi"

# Track & Trace event/item statuses. DELIVERY_IMPOSSIBLE is an exception, not a
# failed attempt: PostNord reports a missed home delivery as the parcel waiting at
# a service point (AVAILABLE_FOR_DELIVERY); "impossible" means it cannot be
# delivered at all (address, refusal, damage) and someone has to act.
STATUS_MAP = {
    "CREATED": T.INFO_RECEIVED,
    "INFORMED": T.INFO_RECEIVED,
    "EN_ROUTE": T.IN_TRANSIT,
    "SPLIT": T.IN_TRANSIT,
    "EXPECTED_DELAY": T.IN_TRANSIT,
    "DELAYED": T.IN_TRANSIT,
    "OTHER": T.IN_TRANSIT,
    "AVAILABLE_FOR_DELIVERY": T.AVAILABLE_FOR_PICKUP,
    "AVAILABLE_FOR_DELIVERY_PAR_LOC": T.AVAILABLE_FOR_PICKUP,
    "DELIVERED": T.DELIVERED,
    "DELIVERY_IMPOSSIBLE": T.EXCEPTION,
    "DELIVERY_REFUSED": T.EXCEPTION,
    "STOPPED": T.EXCEPTION,
    "RETURNED": T.RETURNED,
}

# PostNord sends local times without an offset; read them in the event's country.
TIME_ZONES = {
    "SE": "Europe/Stockholm",
    "DK": "Europe/Copenhagen",
    "NO": "Europe/Oslo",
    "FI": "Europe/Helsinki",
}

# Our services with rough list prices (SEK) and the PostNord basicServiceCode each
# books. Lockers are service points too: a locker booking is MyPack Collect.
SERVICES = service_table(
    "SEK",
    ("mypack_home", "MyPack Home", ServiceType.HOME, "99.00", 2),
    ("mypack_collect", "MyPack Collect", ServiceType.PARCEL_SHOP, "69.00", 2),
    ("parcel_locker", "Parcel locker", ServiceType.LOCKER, "59.00", 2),
)
BASIC_SERVICE_CODES = {
    "mypack_home": "17",
    "mypack_collect": "19",
    "parcel_locker": "19",
}


class PostNordCourier(Courier):
    code = "postnord"
    name = "PostNord"
    rate_limit_per_s = 5.0
    webhook_secret_header = "X-PostNord-Secret"

    # --- services and booking -------------------------------------------------

    def services(self) -> list[ServiceOption]:
        return with_price_overrides(SERVICES.values(), self.account.extra)

    def book(self, request: BookingRequest) -> Booking:
        if request.service_code not in SERVICES:
            raise CourierError(f"PostNord has no service '{request.service_code}'.")
        response = self.request(
            "POST",
            self.account.base_url + BOOK_PATH,
            params=self._params(
                paperSize=self.account.extra.get("paper_size", "A5"),
                multiPDF="false",
                labelsPerPage=100,
                page=1,
            ),
            json=drop_empty(self._edi_instruction(request)),
        )
        raise_for_client_error(self.name, response, _fault_message)
        with reading(self.name):
            return self._booking(json_body(response) or {}, request)

    def cancel(self, booking_reference: str) -> None:
        response = self.request(
            "POST",
            self.account.base_url + EDI_PATH,
            params=self._params(),
            json={
                "messageDate": _now(),
                "updateIndicator": "Deletion",
                "shipment": [
                    {"shipmentIdentification": {"shipmentId": booking_reference}}
                ],
            },
        )
        raise_for_client_error(self.name, response, _fault_message)

    # --- tracking ---------------------------------------------------------------

    def track(self, tracking_number: str) -> TrackingUpdate:
        response = self.request(
            "GET",
            self.account.base_url + TRACK_PATH,
            params=self._params(id=tracking_number, locale="en"),
        )
        raise_for_client_error(self.name, response, _fault_message, tracking=True)
        with reading(self.name):
            info = (json_body(response) or {}).get("TrackingInformationResponse") or {}
            shipments = info.get("shipments") or []
            if not shipments:
                detail = _fault_message(info) or "no shipment found"
                raise ShipmentNotFound(
                    f"PostNord does not know this tracking number: {detail}",
                    raw=response.text,
                )
            items = [
                item for shipment in shipments for item in shipment.get("items") or []
            ]
            return TrackingUpdate(
                tracking_number, self._events(items), _eta(shipments[0])
            )

    def read_webhook(self, body: bytes, headers: dict) -> list[TrackingUpdate]:
        with reading(self.name, webhook=True):
            payload = parse_json_object(body)
            info = payload.get("TrackingInformationResponse", payload)
            shipments = info.get("shipments") if isinstance(info, dict) else None
            if not isinstance(shipments, list) or not shipments:
                raise MalformedPayload(
                    "Expected 'TrackingInformationResponse.shipments' with a shipment."
                )
            return [update for s in shipments for update in self._updates(s)]

    def tracking_url(self, tracking_number: str) -> str:
        return f"https://tracking.postnord.com/se/?id={tracking_number}"

    # --- PostNord's formats -----------------------------------------------------

    def _params(self, **params) -> dict:
        return {"apikey": self.account.api_key, **params}

    def _edi_instruction(self, request: BookingRequest) -> dict:
        consignor = self._party(request.sender)
        consignor["partyIdentification"] = {
            "partyId": self.account.customer_number,
            "partyIdType": "160",  # PostNord customer number
        }
        instruction = {
            "messageDate": _now(),
            "updateIndicator": "Original",
            "shipment": [
                {
                    "service": {
                        "basicServiceCode": BASIC_SERVICE_CODES[request.service_code]
                    },
                    "references": [
                        {"referenceNo": request.reference, "referenceType": "CU"}
                    ],
                    "parties": {
                        "consignor": consignor,
                        "consignee": self._party(request.recipient),
                    },
                    "goodsItem": [_goods_item(parcel) for parcel in request.parcels],
                }
            ],
        }
        if application_id := self.account.extra.get("application_id"):
            instruction["application"] = {
                "applicationId": int(application_id),
                "name": "Performile",
            }
        return instruction

    def _party(self, address: Address) -> dict:
        return {
            "issuerCode": self.account.extra.get("issuer_code", "Z12"),
            "party": {
                "nameIdentification": {
                    "name": address.name,
                    "companyName": address.company,
                },
                "address": {
                    "streets": [address.line1, address.line2],
                    "postalCode": address.postal_code,
                    "city": address.city,
                    "countryCode": address.country,
                },
                "contact": {
                    "contactName": address.name,
                    "emailAddress": address.email,
                    "phoneNo": address.phone,
                    "smsNo": address.phone,
                },
            },
        }

    def _booking(self, body: dict, request: BookingRequest) -> Booking:
        booking = body.get("bookingResponse") or {}
        infos = booking.get("idInformation") or []
        failed = [info for info in infos if (info.get("status") or "OK") != "OK"]
        if failed or not infos:
            detail = _fault_message((failed or [{}])[0].get("errorResponse"))
            raise CourierError(
                f"PostNord refused the booking: {detail or 'no ids were returned'}",
                raw=str(body),
            )
        ids = [item for info in infos for item in info.get("ids") or []]
        item_ids = [i["value"] for i in ids if i.get("idType") == "itemId"]
        shipment_id = next(
            (i["value"] for i in ids if i.get("idType") == "shipmentId"), ""
        )
        # Several parcels: the shipment id covers them all.
        tracking_number = item_ids[0] if item_ids else shipment_id
        if len(request.parcels) > 1 and shipment_id:
            tracking_number = shipment_id
        if not tracking_number:
            raise CourierError("PostNord returned no tracking number.", raw=str(body))
        option = next(o for o in self.services() if o.code == request.service_code)
        return Booking(
            tracking_number=tracking_number,
            label_pdf=_label(body),
            price=option.price,
            currency=option.currency,
            courier_reference=shipment_id or booking.get("bookingId", ""),
        )

    def _updates(self, shipment: dict) -> list[TrackingUpdate]:
        """One update for the shipment id and one per item id, so a push finds
        our shipment whichever number we booked it under."""
        eta = _eta(shipment)
        numbered = [(shipment.get("shipmentId"), shipment.get("items") or [])]
        numbered += [
            (item.get("itemId"), [item])
            for item in shipment.get("items") or []
            if item.get("itemId") != shipment.get("shipmentId")
        ]
        return [
            TrackingUpdate(number, self._events(items), eta)
            for number, items in numbered
            if number
        ]

    def _events(self, items: list[dict]) -> tuple[TrackingEvent, ...]:
        return ordered_events(
            event
            for item in items
            for event in map(self._event, item.get("events") or [])
            if event
        )

    def _event(self, raw: dict) -> TrackingEvent | None:
        status, code = raw.get("status") or "", raw.get("eventCode") or ""
        location = raw.get("location") or {}
        zone = TIME_ZONES.get(
            location.get("countryCode") or "",
            self.account.extra.get("time_zone", "Europe/Stockholm"),
        )
        occurred_at = parse_datetime(raw.get("eventTime"), tz=zone)
        if occurred_at is None or not (status or code):
            return None
        # The status is what we map; the finer event code stays beside it.
        raw_code = status or code
        if status and code and code != status:
            raw_code = f"{status}/{code}"
        return TrackingEvent(
            status=map_status(STATUS_MAP, status or code, courier=self.name),
            raw_code=raw_code,
            occurred_at=occurred_at,
            description=raw.get("eventDescription") or "",
            location=location.get("displayName") or location.get("name") or "",
        )


def _goods_item(parcel) -> dict:
    item = {
        "itemIdentification": {"itemId": "0"},  # "0": PostNord allocates the id
        "grossWeight": {"value": float(parcel.weight_kg), "unit": "KGM"},
    }
    sides = {
        "length": parcel.length_cm,
        "width": parcel.width_cm,
        "height": parcel.height_cm,
    }
    if all(sides.values()):
        item["dimensions"] = {
            side: {"value": float(value), "unit": "CMT"}
            for side, value in sides.items()
        }
    return {
        "packageTypeCode": "PC",
        "numberOfPackageTypeCodeItems": {"value": 1},
        "items": [item],
    }


def _label(body: dict) -> bytes:
    printouts = [p.get("printout") or {} for p in body.get("labelPrintout") or []]
    data = next((p["data"] for p in printouts if p.get("data")), "")
    try:
        label = base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise CourierError("PostNord's label could not be read.") from exc
    if not label:
        raise CourierError("PostNord returned no label.", raw=str(body)[:2000])
    return label


def _eta(shipment: dict):
    items = shipment.get("items") or [{}]
    return parse_date(
        shipment.get("estimatedTimeOfArrival") or items[0].get("estimatedTimeOfArrival")
    )


def _fault_message(body) -> str:
    """PostNord's words from an error body: compositeFault.faults[].explanationText,
    else `message`, also when wrapped in TrackingInformationResponse."""
    if not isinstance(body, dict):
        return ""
    body = body.get("TrackingInformationResponse") or body
    faults = (body.get("compositeFault") or {}).get("faults") or []
    texts = [f.get("explanationText") or f.get("faultCode") or "" for f in faults]
    return join_nonempty(*texts, sep="; ") or str(body.get("message") or "")


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
