"""Small validated readers shared by the payload parsers."""

import math
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal

from django.utils import timezone
from django.utils.dateparse import parse_datetime

from orders.ingestion.incoming import IncomingLine
from orders.money import parse_amount
from performile.webhooks import MalformedPayload


def text(payload: dict, key: str, *, required: bool = False, where: str = "") -> str:
    value = payload.get(key)
    if value is None or value == "":
        if required:
            raise MalformedPayload(f"'{where}{key}' is required.")
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise MalformedPayload(f"'{where}{key}' must be a string.")
    return str(value).strip()


def full_name(source: dict, *, where: str = "") -> str:
    """ "First Last" from a webshop's name parts, each of them a string."""
    parts = (text(source, key, where=where) for key in ("first_name", "last_name"))
    return " ".join(part for part in parts if part)


def obj(payload: dict, key: str, *, where: str = "") -> dict:
    value = payload.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise MalformedPayload(f"'{where}{key}' must be an object.")
    return value


def array(payload: dict, key: str, *, where: str = "") -> list:
    value = payload.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise MalformedPayload(f"'{where}{key}' must be an array.")
    return value


def amount(
    payload: dict, key: str, *, where: str = "", default="0"
) -> tuple[Decimal, str | None]:
    value = payload.get(key, default)
    # Computed prices, e.g. WooCommerce's 21.666666666666668, are rounded; a float
    # too large to round (1e308, inf, nan) is left to parse_amount to refuse.
    if isinstance(value, float) and math.isfinite(value) and abs(value) < 1e15:
        value = Decimal(str(value)).quantize(Decimal("0.01"))
    try:
        return parse_amount(value if value not in (None, "") else default)
    except ValueError as exc:
        raise MalformedPayload(f"'{where}{key}': {exc}") from exc


def quantity(payload: dict, key: str, *, where: str) -> int:
    value = payload.get(key, 1)
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise MalformedPayload(f"'{where}{key}' must be a positive integer.")
    return value


def moment(payload: dict, key: str, *, where: str = "") -> datetime | None:
    value = payload.get(key)
    if not value:
        return None
    parsed = parse_datetime(str(value)) if isinstance(value, str) else None
    if parsed is None:
        raise MalformedPayload(f"'{where}{key}' is not a date and time: {value!r}.")
    if timezone.is_naive(parsed):
        parsed = parsed.replace(tzinfo=UTC)
    return parsed


def currency(payload: dict, key: str, fallback: str, *, where: str = "") -> str:
    value = text(payload, key, where=where).upper() or fallback
    if len(value) != 3 or not value.isalpha():
        raise MalformedPayload(
            f"'{where}{key}' must be an ISO 4217 code, got {value!r}."
        )
    return value


def lines(
    items: list,
    *,
    where: str,
    title: str,
    price: str,
    kind: str = "item",
    details: Callable[[dict], dict] | None = None,
) -> tuple:
    """Lines of `kind` from a list of objects; `title` and `price` name the keys
    (a line without a quantity, like a shipping line, is one). `details(item)`
    gives the provider's further fields (tax_rate)."""
    parsed = []
    for index, item in enumerate(items):
        at = f"{where}[{index}]"
        if not isinstance(item, dict):
            raise MalformedPayload(f"'{at}' must be an object.")
        unit_price, _ = amount(item, price, where=f"{at}.")
        parsed.append(
            IncomingLine(
                title=text(item, title, required=True, where=f"{at}."),
                sku=text(item, "sku", where=f"{at}."),
                quantity=quantity(item, "quantity", where=f"{at}."),
                unit_price=unit_price,
                kind=kind,
                **(details(item) if details else {}),
            )
        )
    return tuple(parsed)


def discount(
    payload: dict, *, total_key: str, codes_key: str, tax_rate
) -> tuple[IncomingLine, ...]:
    """The order's discounts as one negative line named by its codes, taxed at the
    items' rate (a discount reduces the items)."""
    total, _ = amount(payload, total_key)
    if not total:
        return ()
    codes = [
        str(code.get("code"))
        for code in array(payload, codes_key)
        if isinstance(code, dict) and code.get("code")
    ]
    return (
        IncomingLine(
            title=f"Discount ({', '.join(codes)})" if codes else "Discount",
            kind="discount",
            unit_price=-total,
            tax_rate=tax_rate,
        ),
    )


def web_url(value: str) -> str:
    """The URL if it is http(s); a webshop's `javascript:` link is dropped."""
    return value if value.lower().startswith(("https://", "http://")) else ""


ADDRESS_KEYS = {
    "company": ("company",),
    "line1": ("address1", "address_1", "line1"),
    "line2": ("address2", "address_2", "line2"),
    "postal_code": ("zip", "postcode", "postal_code"),
    "city": ("city",),
    "region": ("province", "state", "region"),
    "country": ("country_code", "country"),
    "phone": ("phone",),
}


def address(source: dict, *, where: str = "") -> dict:
    """Our address shape from the common webshop keys; each a string (or a
    number, such as a postcode), else MalformedPayload naming it."""

    def first(keys) -> str:
        return next(
            (found for key in keys if (found := text(source, key, where=where))), ""
        )

    shaped = {"name": full_name(source, where=where) or first(("name",))}
    shaped |= {name: first(keys) for name, keys in ADDRESS_KEYS.items()}
    return {key: value for key, value in shaped.items() if value}
