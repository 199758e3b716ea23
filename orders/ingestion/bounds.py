"""What an order from a webshop may hold: bounds the database and the invoices can
store, checked once the payload is parsed (every parser calls `check`).

A value out of bounds is the sender's error, answered 400 naming the field
(performile.webhooks.MalformedPayload), never a database error later: lengths of
the columns the values go to, NUL characters and lone surrogates (which
PostgreSQL's text cannot hold), quantities an integer column holds, and line
totals an invoice's money columns hold.
"""

from dataclasses import fields, is_dataclass
from decimal import Decimal

from orders.models import Customer, Order, OrderLine
from performile.webhooks import MalformedPayload, unstorable

MAX_QUANTITY = 2**31 - 1  # PositiveIntegerField
# Invoices keep money in numeric(14, 2); a line's total must fit.
MAX_LINE_TOTAL = Decimal("999999999999.99")


def _lengths(model, names) -> dict[str, int]:
    return {name: model._meta.get_field(name).max_length for name in names}


ORDER = _lengths(
    Order,
    (
        "order_number",
        "external_id",
        "payment_method",
        "service",
        "shipping_method",
        "tracking_number",
        "courier",
        "tracking_url",
    ),
)
CUSTOMER = _lengths(Customer, ("name", "email", "phone"))
LINE = _lengths(OrderLine, ("title", "sku"))


def check(incoming) -> None:
    """Raise MalformedPayload naming the first value out of bounds."""
    _texts(incoming, "")
    _fit(incoming, ORDER, "")
    if incoming.customer is not None:
        _fit(incoming.customer, CUSTOMER, "customer.")
    for index, line in enumerate(incoming.lines):
        where = f"line_items[{index}]."
        _fit(line, LINE, where)
        if line.quantity > MAX_QUANTITY:
            raise MalformedPayload(f"'{where}quantity' is more than {MAX_QUANTITY:,}.")
        if abs(line.quantity * line.unit_price) > MAX_LINE_TOTAL:
            raise MalformedPayload(
                f"'{where}' totals more than an invoice line can hold"
                f" ({MAX_LINE_TOTAL:,})."
            )


def _fit(value, limits: dict[str, int], where: str) -> None:
    for name, limit in limits.items():
        text = getattr(value, name, "") or ""
        if len(text) > limit:
            raise MalformedPayload(
                f"'{where}{name}' is longer than {limit} characters."
            )


def _texts(value, where: str) -> None:
    """Every string inside, at any depth: no NUL, no lone surrogate."""
    if isinstance(value, str):
        if problem := unstorable(value):
            raise MalformedPayload(f"'{where}' {problem}.")
    elif is_dataclass(value):
        for field in fields(value):
            _texts(getattr(value, field.name), f"{where}{field.name}")
    elif isinstance(value, dict):
        for key, item in value.items():
            _texts(key, where)
            _texts(item, f"{where}.{key}")
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            _texts(item, f"{where}[{index}]")
