"""Helpers the HTTP courier adapters share: dates, status tables, errors, webhooks.

Nothing here knows a particular courier; each adapter passes its own tables and
field names.
"""

from __future__ import annotations

import hmac
import logging
import re
from collections.abc import Callable, Iterable, Mapping
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

import requests

from orders.tracking import TrackingStatus
from performile.webhooks import BadSignature, MalformedPayload
from shipments.couriers.base import (
    CourierError,
    ServiceOption,
    ShipmentNotFound,
    TrackingEvent,
)

logger = logging.getLogger("shipments.couriers")

_DMY = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")


def parse_datetime(value, *, tz: str = "UTC") -> datetime | None:
    """An ISO 8601 timestamp as an aware datetime; one without an offset is read in
    `tz` (couriers often send local time without saying so)."""
    if not value or not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=ZoneInfo(tz))
    return parsed.astimezone(UTC)


def parse_date(value, *, tz: str = "UTC") -> date | None:
    """A date from ISO (date or timestamp), dd.mm.yyyy or epoch milliseconds (the
    day it is in `tz`: midnight in Oslo is still the day before in UTC)."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return datetime.fromtimestamp(value / 1000, tz=ZoneInfo(tz)).date()
    if not value or not isinstance(value, str):
        return None
    value = value.strip()
    if match := _DMY.match(value):
        day, month, year = (int(part) for part in match.groups())
        try:
            return date(year, month, day)
        except ValueError:
            return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def map_status(
    table: Mapping[str, TrackingStatus],
    code: str,
    *,
    courier: str,
    fallback: TrackingStatus = TrackingStatus.IN_TRANSIT,
) -> TrackingStatus:
    """Our status for a courier's code. A code missing from the table is logged and
    read as `fallback`: an event we cannot name still means the parcel moved."""
    status = table.get((code or "").upper())
    if status is None:
        logger.warning("unmapped %s tracking code %r", courier, code)
        return fallback
    return status


def ordered_events(events: Iterable[TrackingEvent]) -> tuple[TrackingEvent, ...]:
    """Oldest first, each (raw code, time) once: parcels of one shipment often
    repeat the same scan."""
    seen = {}
    for event in events:
        seen.setdefault((event.raw_code, event.occurred_at), event)
    return tuple(sorted(seen.values(), key=lambda event: event.occurred_at))


def join_nonempty(*parts, sep: str = ", ") -> str:
    return sep.join(str(part).strip() for part in parts if part and str(part).strip())


def json_body(response: requests.Response) -> dict | None:
    """The response's JSON object, or None when it has none."""
    try:
        body = response.json()
    except ValueError:
        return None
    return body if isinstance(body, dict) else None


@contextmanager
def reading(courier: str, *, webhook: bool = False):
    """A body of an unexpected shape becomes MalformedPayload (a webhook: 400) or a
    CourierError (an answer to our call), never an AttributeError in a worker."""
    try:
        yield
    except (AttributeError, KeyError, TypeError, ValueError) as exc:
        if webhook:
            raise MalformedPayload(f"Unexpected {courier} payload: {exc!r}") from exc
        raise CourierError(f"{courier} answered in an unexpected format.") from exc


def raise_for_client_error(
    courier: str,
    response: requests.Response,
    message_of: Callable[[object], str],
    *,
    tracking: bool = False,
) -> None:
    """Turn a 4xx into a CourierError with the courier's own words; on tracking
    calls a 404 means the courier does not know the number (ShipmentNotFound).
    5xx and 429 were already handled by `Courier.request()`."""
    status = response.status_code
    if status < 400:
        return
    detail = (message_of(json_body(response)) or response.reason or "").strip()
    detail = detail or f"HTTP {status}"
    if tracking and status == 404:
        raise ShipmentNotFound(
            f"{courier} does not know this tracking number: {detail}",
            status=status,
            raw=response.text,
        )
    if status in (401, 403):
        message = f"{courier} did not accept the account's API credentials: {detail}"
    else:
        message = f"{courier} refused the request: {detail}"
    raise CourierError(message, status=status, raw=response.text)


def header_value(headers: Mapping, name: str) -> str:
    """A header by name, whatever its case (Django's HttpHeaders or a plain dict)."""
    value = headers.get(name)
    if value is None:
        wanted = name.lower()
        value = next(
            (val for key, val in headers.items() if str(key).lower() == wanted), None
        )
    return str(value or "")


def require_shared_secret(courier, headers: Mapping) -> None:
    """Check the adapter's shared-secret header against the account's webhook secret,
    in constant time. For couriers that do not sign their pushes but send a header
    of our choosing with every delivery (see docs/couriers.md)."""
    secret = courier.account.webhook_secret
    header = courier.webhook_secret_header
    if not secret:
        raise BadSignature(f"No webhook secret is set on this {courier.name} account.")
    given = header_value(headers, header)
    if not given or not hmac.compare_digest(given.encode(), secret.encode()):
        raise BadSignature(f"Missing or wrong {header} header.")


def drop_empty(value):
    """The payload without None, "" and emptied containers: couriers' validators
    tend to reject an empty field they would accept missing."""
    if isinstance(value, dict):
        cleaned = {key: drop_empty(val) for key, val in value.items()}
        return {
            key: val for key, val in cleaned.items() if val not in (None, "", {}, [])
        }
    if isinstance(value, list):
        return [
            item for item in map(drop_empty, value) if item not in (None, "", {}, [])
        ]
    return value


def service_table(currency: str, *rows: tuple) -> dict[str, ServiceOption]:
    """Service options by code from (code, name, type, price, transit days) rows."""
    return {
        code: ServiceOption(code, name, kind, Decimal(price), currency, days)
        for code, name, kind, price, days in rows
    }


def with_price_overrides(
    options: Iterable[ServiceOption], extra: Mapping
) -> list[ServiceOption]:
    """Our list prices, unless the account's `extra` holds the merchant's own:
    {"prices": {"<service code>": "79.00"}, "currency": "SEK"}."""
    prices = extra.get("prices") or {}
    currency = extra.get("currency")
    result = []
    for option in options:
        changes = {"currency": currency} if currency else {}
        try:
            if option.code in prices:
                changes["price"] = Decimal(str(prices[option.code]))
        except InvalidOperation:
            logger.warning("ignoring bad price override for %s", option.code)
        result.append(replace(option, **changes) if changes else option)
    return result
