"""Canned replies' variables: what `{{name}}` in a canned reply becomes for an
order. Plain substitution, not a template language: a reply's text can never run
anything, and a variable the list does not know is refused when the reply is saved.
"""

import re

from django.utils import formats

from orders.models import Order
from orders.state_machine import label

VARIABLE = re.compile(r"\{\{\s*(\w+)\s*\}\}")
# Each variable and what it is, as the editor lists them.
VARIABLES = {
    "customer_name": "The customer's name",
    "order_number": "The order's number",
    "store_name": "The store's name",
    "status": "The order's status",
    "tracking_number": "The parcel's tracking number",
    "tracking_link": "The link to follow the parcel",
    "eta": "The expected delivery date",
}


def unknown_variables(body: str) -> list[str]:
    """The `{{names}}` in `body` that are not VARIABLES."""
    return sorted({name for name in VARIABLE.findall(body) if name not in VARIABLES})


def order_values(order: Order) -> dict[str, str]:
    """Each variable's value for `order` ("" where the order has none yet)."""
    customer = order.customer if order.customer_id else None
    eta = order.estimated_delivery
    return {
        "customer_name": customer.name if customer else "",
        "order_number": order.order_number,
        "store_name": order.store.name,
        "status": label(order.status),
        "tracking_number": order.tracking_number,
        "tracking_link": order.tracking_url,
        "eta": formats.date_format(eta, "l j F") if eta else "",
    }


def render(body: str, values: dict[str, str]) -> str:
    """`body` with each known variable replaced by its value."""
    return VARIABLE.sub(lambda found: values.get(found.group(1), found.group(0)), body)
