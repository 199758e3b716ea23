"""Checks a booking request the way a courier would, naming the field at fault."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from sandbox_courier.journey import POSTAL_CODE_DIGITS, SERVICES

ADDRESS_REQUIRED = ("name", "line1", "postal_code", "city", "country")
ADDRESS_OPTIONAL = ("line2", "company", "phone", "email")
MAX_PARCELS = 10
COUNTRY = re.compile(r"^[A-Z]{2}$")
TRACKING_NUMBER = re.compile(r"^[A-Za-z0-9-]+$")


class Invalid(Exception):
    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


def country_code(value, field: str) -> str:
    code = str(value or "").strip().upper()
    if not COUNTRY.match(code):
        raise Invalid(field, f"{field} must be a two-letter country code (ISO 3166).")
    return code


def booking(payload: dict) -> dict:
    """The cleaned booking, or Invalid for the first problem found."""
    reference = _text(payload, "reference", "reference", max_length=35)
    code = _text(payload, "service_code", "service_code", max_length=20)
    service = SERVICES.get(code)
    if service is None:
        known = ", ".join(SERVICES)
        raise Invalid("service_code", f"service_code '{code}' is unknown ({known}).")
    sender = _address(payload.get("sender"), "sender")
    recipient = _address(payload.get("recipient"), "recipient")
    parcels = _parcels(payload.get("parcels"), service)
    return {
        "reference": reference,
        "service_code": code,
        "sender": sender,
        "recipient": recipient,
        "parcels": parcels,
        "notify_url": _notify_url(payload),
    }


def registration(payload: dict) -> dict:
    """A number booked elsewhere, to be tracked: its journey is played as a home
    delivery within Sweden unless `recipient` ({city, country}) says otherwise."""
    number = _text(payload, "tracking_number", "tracking_number", max_length=64)
    if not TRACKING_NUMBER.match(number):
        raise Invalid(
            "tracking_number",
            "tracking_number may hold only letters, digits and dashes.",
        )
    given = payload.get("recipient") or {}
    if not isinstance(given, dict):
        raise Invalid("recipient", "recipient must be an object.")
    country = country_code(given.get("country") or "SE", "recipient.country")
    city = _text(given, "city", "recipient.city", max_length=100, required=False)
    return {
        "tracking_number": number,
        "reference": "",
        "service_code": "SBX_HOME",
        "sender": {"name": "Sender", "city": "Stockholm", "country": "SE"},
        "recipient": {"name": "Recipient", "city": city, "country": country},
        "parcels": [{"weight_kg": "1"}],
        "notify_url": _notify_url(payload),
    }


def _notify_url(payload: dict) -> str:
    notify_url = payload.get("notify_url") or ""
    if notify_url and (
        not isinstance(notify_url, str) or not re.match(r"^https?://\S+$", notify_url)
    ):
        raise Invalid("notify_url", "notify_url must be an http(s) URL.")
    return notify_url


def _text(data: dict, key: str, field: str, *, max_length: int, required=True) -> str:
    value = data.get(key)
    if value is None or value == "":
        if required:
            raise Invalid(field, f"{field} is required.")
        return ""
    if not isinstance(value, str | int):
        raise Invalid(field, f"{field} must be a string.")
    value = str(value).strip()
    if required and not value:
        raise Invalid(field, f"{field} is required.")
    if len(value) > max_length:
        raise Invalid(field, f"{field} must be at most {max_length} characters.")
    return value


def _address(data, name: str) -> dict:
    if not isinstance(data, dict):
        raise Invalid(
            name, f"{name} must be an object with {', '.join(ADDRESS_REQUIRED)}."
        )
    out = {}
    for key in ADDRESS_REQUIRED:
        out[key] = _text(data, key, f"{name}.{key}", max_length=70)
    for key in ADDRESS_OPTIONAL:
        out[key] = _text(data, key, f"{name}.{key}", max_length=70, required=False)
    out["country"] = country_code(out["country"], f"{name}.country")
    digits = POSTAL_CODE_DIGITS.get(out["country"])
    compact = out["postal_code"].replace(" ", "")
    if digits and not (compact.isdigit() and len(compact) == digits):
        raise Invalid(
            f"{name}.postal_code",
            f"{name}.postal_code '{out['postal_code']}' is not a valid "
            f"{out['country']} postal code ({digits} digits).",
        )
    return out


def _parcels(data, service) -> list[dict]:
    if not isinstance(data, list) or not data:
        raise Invalid("parcels", "parcels must be a non-empty list.")
    if len(data) > MAX_PARCELS:
        raise Invalid("parcels", f"At most {MAX_PARCELS} parcels per shipment.")
    parcels = []
    for index, parcel in enumerate(data):
        field = f"parcels[{index}]"
        if not isinstance(parcel, dict):
            raise Invalid(field, f"{field} must be an object.")
        weight = _number(parcel, "weight_kg", field, required=True)
        if weight <= 0 or weight > service.max_weight_kg:
            raise Invalid(
                f"{field}.weight_kg",
                f"{field}.weight_kg must be more than 0 and at most "
                f"{service.max_weight_kg} kg for {service.code}.",
            )
        cleaned = {"weight_kg": str(weight)}
        for key in ("length_cm", "width_cm", "height_cm"):
            side = _number(parcel, key, field, required=False)
            if side < 0 or side > service.max_side_cm:
                raise Invalid(
                    f"{field}.{key}",
                    f"{field}.{key} must be between 0 and {service.max_side_cm} cm "
                    f"for {service.code}.",
                )
            cleaned[key] = str(side)
        parcels.append(cleaned)
    return parcels


def _number(data: dict, key: str, field: str, *, required: bool) -> Decimal:
    value = data.get(key)
    if value is None or value == "":
        if required:
            raise Invalid(f"{field}.{key}", f"{field}.{key} is required.")
        return Decimal("0")
    if isinstance(value, bool):
        value = "not a number"
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        number = Decimal("NaN")
    if not number.is_finite():
        raise Invalid(f"{field}.{key}", f"{field}.{key} must be a number.")
    return number
