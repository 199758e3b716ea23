"""Money as it is typed: "$150.00", "150", "1 234,50 kr", "EUR 12.5"."""

import re
from decimal import Decimal, InvalidOperation

SYMBOLS = {"$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY"}
_CODE = re.compile(r"\b([A-Za-z]{3})\b")
_DECORATION = re.compile(r"[$€£¥\s\u00a0\u202f']|\bkr\b|:-", re.IGNORECASE)
_NUMBER = re.compile(r"-?\d[\d.,]*")
MAXIMUM = Decimal("9999999999.99")


def parse_amount(raw) -> tuple[Decimal, str | None]:
    """The amount and, when the text names one, its currency code.

    Raises ValueError with a readable message for anything that is not a
    non-negative amount with at most two decimals.
    """
    if isinstance(raw, bool):
        raise ValueError("Amount must be a number.")
    if isinstance(raw, Decimal | int):
        return _checked(Decimal(raw)), None
    if isinstance(raw, float):
        return _checked(Decimal(str(raw))), None
    text = str(raw or "").strip()
    if not text:
        raise ValueError("Amount is required.")
    currency = next((code for symbol, code in SYMBOLS.items() if symbol in text), None)
    match = _CODE.search(text)
    if match:
        currency = match.group(1).upper()
    number = _DECORATION.sub("", _CODE.sub("", text))
    if not _NUMBER.fullmatch(number):
        raise ValueError(f"'{text}' is not an amount.")
    try:
        return _checked(Decimal(_normalize_separators(number))), currency
    except InvalidOperation as exc:
        raise ValueError(f"'{text}' is not an amount.") from exc


def order_currency(store, *named: str | None) -> str:
    """The currency of an order someone types in (Orders view, API, Discord's
    /addorder): the first currency they named, in the order given (the currency
    field, then the code the amount's text carries), else the store's. The
    merchant's default_currency is not asked: every store has a currency of its
    own."""
    return next((code for code in named if code), store.currency).upper()


def _normalize_separators(number: str) -> str:
    if "," in number and "." in number:
        decimal_mark = "," if number.rfind(",") > number.rfind(".") else "."
        thousands = "." if decimal_mark == "," else ","
        return number.replace(thousands, "").replace(",", ".")
    if "," in number:
        head, _, tail = number.rpartition(",")
        if len(tail) in (1, 2) and number.count(",") == 1:
            return f"{head}.{tail}"
        return number.replace(",", "")
    return number


def _checked(amount: Decimal) -> Decimal:
    if not amount.is_finite():
        raise ValueError("Amount must be a number.")
    if amount < 0:
        raise ValueError("Amount cannot be negative.")
    if amount > MAXIMUM:
        raise ValueError("Amount is too large.")
    if amount != amount.quantize(Decimal("0.01")):
        raise ValueError("Amount has more than two decimals.")
    return amount.quantize(Decimal("0.01"))


def order_totals(order) -> list[tuple[str, Decimal]]:
    """How the order's amount adds up, as (label, amount) rows for a screen or a
    document: items, discounts, shipping, fees, tax added on top, whatever else the
    shop charged, and the total. Tax included in the prices is a last row of its
    own ("incl. tax")."""
    sums: dict[str, Decimal] = {}
    for line in order.lines.all():
        sums[line.kind] = sums.get(line.kind, Decimal("0")) + line.total
    rows = [
        (label, sums[kind])
        for kind, label in (
            ("item", "Items"),
            ("discount", "Discounts"),
            ("shipping", "Shipping"),
            ("fee", "Fees"),
        )
        if sums.get(kind)
    ]
    added_tax = order.tax_amount if order.taxes_included is False else Decimal("0")
    if added_tax:
        rows.append(("Tax", added_tax))
    other = order.amount - sum(sums.values()) - added_tax
    if sums and other:
        rows.append(("Other charges" if other > 0 else "Other reductions", other))
    rows.append(("Order total", order.amount))
    if order.tax_amount and order.taxes_included:
        rows.append(("incl. tax", order.tax_amount))
    return rows
