"""The long tail: any carrier of the karrio SDK (UPS, FedEx, DHL Express, DPD, ...).

Optional: karrio (LGPL-3.0) and its carrier plugins are installed with
`pip install -r requirements-karrio.txt`; without them a `karrio:<carrier>` account
raises a CourierError saying so. See docs/couriers.md, "karrio (long tail)".

The account's courier code is `karrio:<carrier>` (karrio's carrier name, e.g.
`karrio:ups`). Its settings become the carrier's karrio Settings:

- `api_key`, `api_secret`, `customer_number` fill the carrier's own credential fields
  (CREDENTIAL_FIELDS below); `extra["settings"]` adds or overrides any field by its
  karrio name (needed for carriers not in that table);
- `extra["test_mode"]` selects the carrier's sandbox;
- `base_url`, if set, replaces the carrier's `server_url` (tests point it at a local
  server); empty means the carrier's own;
- `extra["services"]` lists the services offered to merchants (karrio has no
  uniform price list): [{"code": "ups_standard", "name": "UPS Standard",
  "service_type": "home_delivery", "price": "99", "currency": "SEK",
  "transit_days": 2}].

karrio's sharp edges, and what we do about them:

- Its HTTP calls (urllib) have no timeout: every karrio call runs in a worker thread
  and we wait at most DEFAULT_TIMEOUT's read timeout + CALL_MARGIN_S, then raise
  CourierUnavailable. The thread cannot be killed; it is a daemon and ends when the
  socket does.
- It cannot run inside a running event loop (it calls asyncio.run()): the worker
  thread has no loop, so calling us from async code works (it blocks that caller
  up to the deadline, like any sync adapter).
- Its plugins import slowly: karrio is imported on first use, once per process.
"""

from __future__ import annotations

import base64
import binascii
import threading
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from types import SimpleNamespace

import requests

from orders.tracking import TrackingStatus as T
from performile.webhooks import MalformedPayload
from shipments.couriers.base import (
    DEFAULT_TIMEOUT,
    AccountSettings,
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
    join_nonempty,
    logger,
    map_status,
    ordered_events,
    parse_date,
    parse_datetime,
    with_price_overrides,
)
from shipments.couriers.karrio_calls import (
    as_courier_error,
    is_error,
    message_text,
    messages_error,
    run_with_deadline,
)

NOT_INSTALLED = (
    "The karrio bridge is not installed: pip install -r requirements-karrio.txt"
)

# Seconds a karrio call may take beyond our usual read timeout (a call may make two
# requests: an OAuth token, then the call itself).
CALL_MARGIN_S = 5.0

# karrio's normalized tracking statuses (karrio.core.units.TrackingStatus) -> ours.
STATUS_MAP = {
    "PENDING": T.INFO_RECEIVED,  # label created, not yet handed over
    "PICKED_UP": T.IN_TRANSIT,
    "IN_TRANSIT": T.IN_TRANSIT,
    "ON_HOLD": T.EXCEPTION,
    "DELIVERY_DELAYED": T.EXCEPTION,
    "OUT_FOR_DELIVERY": T.OUT_FOR_DELIVERY,
    "READY_FOR_PICKUP": T.AVAILABLE_FOR_PICKUP,
    "DELIVERY_FAILED": T.ATTEMPT_FAILED,
    "DELIVERED": T.DELIVERED,
    "RETURN_TO_SENDER": T.RETURNED,
    "CANCELLED": T.EXCEPTION,
    # karrio could not classify the carrier's code; an event still means it moved.
    "UNKNOWN": T.IN_TRANSIT,
}

# Where our account fields go in a carrier's karrio Settings
# (api_key, api_secret, customer_number). Others: extra["settings"].
CREDENTIAL_FIELDS = {
    "ups": ("client_id", "client_secret", "account_number"),
    "fedex": ("api_key", "secret_key", "account_number"),
    "dhl_express": ("site_id", "password", "account_number"),
}

_sdk_lock = threading.Lock()


def karrio_status(code: str) -> T:
    return map_status(STATUS_MAP, code, courier="karrio")


class KarrioCourier(Courier):
    code = "karrio"
    name = "karrio"
    rate_limit_per_s = 2.0

    # The karrio modules, imported on first use (see _sdk()).
    _karrio: SimpleNamespace | None = None

    def __init__(
        self,
        account: AccountSettings,
        *,
        session: requests.Session | None = None,
        carrier: str | None = None,
    ):
        super().__init__(account, session=session)
        self.carrier = (carrier or account.extra.get("carrier") or "").strip()
        if not self.carrier:
            raise CourierError(
                "This karrio account names no carrier (courier code karrio:<carrier>)."
            )
        self.code = f"karrio:{self.carrier}"
        self.name = account.extra.get("name") or self.carrier.replace("_", " ").upper()
        self.deadline_s = DEFAULT_TIMEOUT[1] + CALL_MARGIN_S
        self._gateway = None

    # --- karrio, lazily -----------------------------------------------------------

    @classmethod
    def _sdk(cls) -> SimpleNamespace:
        """The karrio modules, imported once per process (plugins import slowly)."""
        if cls._karrio is None:
            with _sdk_lock:
                if cls._karrio is None:
                    try:
                        import karrio.core.models as models
                        import karrio.core.utils as utils
                        import karrio.lib as lib
                        import karrio.references as references
                        import karrio.sdk as sdk
                    except ImportError as exc:
                        raise CourierError(NOT_INSTALLED) from exc
                    KarrioCourier._karrio = SimpleNamespace(
                        sdk=sdk,
                        models=models,
                        lib=lib,
                        references=references,
                        # One cache for all accounts: OAuth tokens are reused.
                        cache=utils.Cache(),
                    )
        return cls._karrio

    def karrio_settings_object(self):
        """The carrier's karrio Settings for this account; of a subclass pointing
        `server_url` at the account's base_url when it has one."""
        k = self._sdk()
        providers = k.references.collect_providers_data()
        if self.carrier not in providers:
            raise CourierError(
                f"karrio has no carrier '{self.carrier}' installed "
                f"(installed: {', '.join(sorted(providers)) or 'none'})."
            )
        base = providers[self.carrier].Settings
        settings = k.lib.to_object(base, self.karrio_settings())
        base_url = self.account.base_url.rstrip("/")
        if base_url:
            # karrio reads the field list from the class it builds, so build the
            # carrier's own class and then move the object to the subclass.
            settings.__class__ = type(
                base.__name__, (base,), {"server_url": property(lambda _: base_url)}
            )
        return settings

    def karrio_settings(self) -> dict:
        fields = CREDENTIAL_FIELDS.get(self.carrier, ())
        values = (
            self.account.api_key,
            self.account.api_secret,
            self.account.customer_number,
        )
        data = {
            field: value for field, value in zip(fields, values, strict=False) if value
        }
        data["carrier_id"] = self.carrier
        data["test_mode"] = bool(self.account.extra.get("test_mode", False))
        data.update(self.account.extra.get("settings") or {})
        return data

    @property
    def gateway(self):
        if self._gateway is None:
            k = self._sdk()
            try:
                settings = self.karrio_settings_object()
                self._gateway = k.sdk.gateway[self.carrier].create(
                    settings, cache=k.cache
                )
            except CourierError:
                raise
            except Exception as exc:
                cause = exc.__cause__ or exc
                raise CourierError(
                    f"The {self.name} account settings do not suit karrio: {cause}"
                ) from exc
        return self._gateway

    def _call(self, what: str, func: Callable):
        """(result, messages) of a karrio call, with a deadline; karrio errors
        become CourierErrors with karrio's text."""
        k = self._sdk()
        gateway = self.gateway

        def guarded():
            try:
                return func(k, gateway)
            except CourierError:
                raise
            except Exception as exc:
                raise as_courier_error(self.name, what, exc) from exc

        return run_with_deadline(guarded, deadline_s=self.deadline_s, what=self.name)

    # --- the interface -------------------------------------------------------------

    def services(self) -> list[ServiceOption]:
        options = []
        for row in self.account.extra.get("services") or []:
            try:
                options.append(
                    ServiceOption(
                        code=str(row["code"]),
                        name=str(row.get("name") or row["code"]),
                        service_type=row.get("service_type") or ServiceType.HOME,
                        price=Decimal(str(row.get("price") or "0")),
                        currency=str(row.get("currency") or ""),
                        transit_days=int(row.get("transit_days") or 0),
                    )
                )
            except (KeyError, TypeError, ValueError, InvalidOperation):
                logger.warning("ignoring bad karrio service row %r", row)
        return with_price_overrides(options, self.account.extra)

    def book(self, request: BookingRequest) -> Booking:
        k = self._sdk()
        m = k.models
        shipment_request = m.ShipmentRequest(
            service=request.service_code,
            shipper=_address(m, request.sender),
            recipient=_address(m, request.recipient),
            parcels=[
                m.Parcel(
                    weight=float(parcel.weight_kg),
                    length=float(parcel.length_cm) or None,
                    width=float(parcel.width_cm) or None,
                    height=float(parcel.height_cm) or None,
                    weight_unit="KG",
                    dimension_unit="CM",
                )
                for parcel in request.parcels
            ],
            reference=request.reference,
            label_type="PDF",
            options=dict(self.account.extra.get("shipment_options") or {}),
        )
        details, messages = self._call(
            "booking",
            lambda k, gw: k.sdk.Shipment.create(shipment_request).from_(gw).parse(),
        )
        if details is None:
            raise messages_error(self.name, "refused the booking", messages)
        label_type = (details.label_type or "PDF").upper()
        if label_type != "PDF":
            raise CourierError(
                f"{self.name} returned a {label_type} label; we need a PDF."
            )
        try:
            label = base64.b64decode(details.docs.label or "", validate=True)
        except (binascii.Error, ValueError, AttributeError) as exc:
            raise CourierError(f"{self.name} returned an unreadable label.") from exc
        if not label:
            raise CourierError(f"{self.name} returned no label.")
        rate = details.selected_rate
        price = None
        if rate is not None and rate.total_charge:
            price = Decimal(str(rate.total_charge))
        return Booking(
            tracking_number=details.tracking_number,
            label_pdf=label,
            price=price,
            currency=(rate.currency or "") if rate is not None else "",
            estimated_delivery=parse_date(rate.estimated_delivery)
            if rate is not None
            else None,
            courier_reference=details.shipment_identifier or details.tracking_number,
        )

    def cancel(self, booking_reference: str) -> None:
        k = self._sdk()
        request = k.models.ShipmentCancelRequest(shipment_identifier=booking_reference)
        confirmation, messages = self._call(
            "cancelling",
            lambda k, gw: k.sdk.Shipment.cancel(request).from_(gw).parse(),
        )
        if confirmation is None or not getattr(confirmation, "success", False):
            raise messages_error(self.name, "refused the cancellation", messages)

    def track(self, tracking_number: str) -> TrackingUpdate:
        k = self._sdk()
        request = k.models.TrackingRequest(tracking_numbers=[tracking_number])
        details, messages = self._call(
            "tracking",
            lambda k, gw: k.sdk.Tracking.fetch(request).from_(gw).parse(),
        )
        detail = next(
            (d for d in details or [] if d.tracking_number == tracking_number),
            (details or [None])[0],
        )
        if detail is None:
            if any(is_error(msg) for msg in messages or []):
                raise messages_error(self.name, "refused the request", messages)
            raise ShipmentNotFound(
                f"{self.name} does not know this tracking number: "
                + (message_text(messages) or tracking_number)
            )
        return TrackingUpdate(
            tracking_number=tracking_number,
            events=ordered_events(self._events(detail)),
            estimated_delivery=parse_date(detail.estimated_delivery),
        )

    def _events(self, detail):
        tz = self.account.extra.get("timezone") or "UTC"
        events = list(detail.events or [])
        for index, event in enumerate(events):
            occurred = parse_datetime(event.timestamp, tz=tz) or parse_datetime(
                join_nonempty(event.date, _time24(event.time), sep="T"), tz=tz
            )
            if occurred is None:
                logger.warning("karrio event without a time: %r", event)
                continue
            status = event.status
            # karrio lists the newest event first; the tracker's status is its.
            if not status and index == 0:
                status = detail.status
            yield TrackingEvent(
                status=karrio_status(status or "unknown"),
                raw_code=str(event.code or status or ""),
                occurred_at=occurred,
                description=event.description or "",
                location=event.location or "",
            )

    def read_webhook(self, body: bytes, headers: dict) -> list[TrackingUpdate]:
        raise MalformedPayload(
            "karrio carriers send us no webhooks; their parcels are polled."
        )

    def tracking_url(self, tracking_number: str) -> str:
        template = self.account.extra.get("tracking_url") or ""
        if not template:
            try:
                template = self.gateway.settings.tracking_url or ""
            except (CourierError, AttributeError):
                template = ""
        return template.format(tracking_number) if template else ""


# --- helpers -----------------------------------------------------------------------


def _address(m, address):
    return m.Address(
        person_name=address.name,
        company_name=address.company or None,
        address_line1=address.line1,
        address_line2=address.line2 or None,
        postal_code=address.postal_code,
        city=address.city,
        country_code=address.country,
        phone_number=address.phone or None,
        email=address.email or None,
    )


def _time24(value) -> str:
    """karrio event times come as "14:05" or "02:05 PM"."""
    value = (value or "").strip()
    if not value:
        return ""
    parts = value.split()
    hh_mm = parts[0]
    try:
        hours, minutes = (int(p) for p in hh_mm.split(":")[:2])
    except ValueError:
        return ""
    if len(parts) > 1 and parts[1].upper() in ("AM", "PM") and hours <= 12:
        if parts[1].upper() == "PM" and hours < 12:
            hours += 12
        if parts[1].upper() == "AM" and hours == 12:
            hours = 0
    return f"{hours:02d}:{minutes:02d}"


__all__ = ["KarrioCourier", "NOT_INSTALLED", "STATUS_MAP"]
