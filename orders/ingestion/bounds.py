"""What an order from a webshop may hold: bounds the database and the invoices can
store, applied once the payload is parsed (every parser returns `checked(...)`),
and the one place that knows the columns' lengths.

A value that cannot be stored is the sender's error, answered 400 naming the field
(performile.webhooks.MalformedPayload), never a database error later: NUL
characters and lone surrogates (which PostgreSQL's text cannot hold), an id
longer than its column (an order number, a tracking number, an email), quantities
an integer column holds, and line totals an invoice's money columns hold. A text
only people read (a line's title, the payment method) is shortened to its column.
"""

from dataclasses import fields, is_dataclass, replace
from decimal import Decimal

from orders.ingestion.incoming import IncomingOrder
from orders.models import Customer, Order, OrderLine
from performile.webhooks import MalformedPayload, unstorable

MAX_QUANTITY = 2**31 - 1  # PositiveIntegerField
# Invoices keep money in numeric(14, 2); a line's total must fit.
MAX_LINE_TOTAL = Decimal("999999999999.99")


def _lengths(model, names) -> dict[str, int]:
    return {name: model._meta.get_field(name).max_length for name in names}


# What names the order, its customer or its parcel: a longer value is refused, as
# a value cut short would name something else.
ORDER_IDS = _lengths(Order, ("order_number", "external_id", "tracking_number"))
CUSTOMER_IDS = _lengths(Customer, ("email", "phone"))
# What is only read by people: a longer value is shortened to its column.
ORDER_TEXTS = _lengths(
    Order, ("payment_method", "service", "shipping_method", "courier")
)
CUSTOMER_TEXTS = _lengths(Customer, ("name",))
LINE_TEXTS = _lengths(OrderLine, ("title", "sku"))
TRACKING_URL = Order._meta.get_field("tracking_url").max_length


def checked(incoming: IncomingOrder) -> IncomingOrder:
    """`incoming` with its texts fitted to their columns; MalformedPayload naming
    the first value that cannot be stored."""
    _texts(incoming, "")
    _refuse_longer(incoming, ORDER_IDS, "")
    customer = incoming.customer
    if customer is not None:
        _refuse_longer(customer, CUSTOMER_IDS, "customer.")
        customer = _shortened(customer, CUSTOMER_TEXTS)
    for index, line in enumerate(incoming.lines):
        where = f"line_items[{index}]."
        if line.quantity > MAX_QUANTITY:
            raise MalformedPayload(f"'{where}quantity' is more than {MAX_QUANTITY:,}.")
        if abs(line.quantity * line.unit_price) > MAX_LINE_TOTAL:
            raise MalformedPayload(
                f"'{where}' totals more than an invoice line can hold"
                f" ({MAX_LINE_TOTAL:,})."
            )
    return replace(
        _shortened(incoming, ORDER_TEXTS),
        customer=customer,
        lines=tuple(_shortened(line, LINE_TEXTS) for line in incoming.lines),
        # A link cut short leads nowhere: one too long is left out.
        tracking_url=incoming.tracking_url
        if len(incoming.tracking_url) <= TRACKING_URL
        else "",
    )


def _refuse_longer(value, limits: dict[str, int], where: str) -> None:
    for name, limit in limits.items():
        if len(getattr(value, name) or "") > limit:
            raise MalformedPayload(
                f"'{where}{name}' is longer than {limit} characters."
            )


def _shortened(value, limits: dict[str, int]):
    return replace(
        value,
        **{
            name: (getattr(value, name) or "")[:limit] for name, limit in limits.items()
        },
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
