"""Performile's own signed order format (docs/webhooks.md).

{"event": "order.created" | "order.updated",
 "order": {"order_number": "ABC123", "status": "pending", "amount": "$150.00", ...}}
"""

from orders.ingestion import bounds, common
from orders.ingestion.incoming import IncomingCustomer, IncomingOrder
from orders.models import Source
from orders.state_machine import OrderStatus

EVENTS = ("order.created", "order.updated")
ADDRESS_KEYS = (
    "name",
    "company",
    "line1",
    "line2",
    "postal_code",
    "city",
    "region",
    "country",
    "phone",
)
PACKAGE_KEYS = ("weight_kg", "length_cm", "width_cm", "height_cm", "parcels")


def parse_event(payload: dict, *, default_currency: str) -> tuple[str, IncomingOrder]:
    event = common.text(payload, "event", required=True)
    if event not in EVENTS:
        raise common.MalformedPayload(f"'event' must be one of {', '.join(EVENTS)}.")
    order = payload.get("order")
    if not isinstance(order, dict):
        raise common.MalformedPayload("'order' must be an object.")
    return event, parse_order(order, default_currency=default_currency)


def parse_order(order: dict, *, default_currency: str) -> IncomingOrder:
    w = "order."
    status = common.text(order, "status", where=w) or None
    if status and status not in OrderStatus.values:
        raise common.MalformedPayload(
            f"'order.status' must be one of {', '.join(OrderStatus.values)}."
        )
    total, named_currency = common.amount(order, "amount", where=w)
    customer = common.obj(order, "customer", where=w)
    incoming = IncomingOrder(
        source=Source.API,
        order_number=common.text(order, "order_number", required=True, where=w),
        external_id=common.text(order, "id", where=w),
        status=status,
        customer=IncomingCustomer(
            name=common.text(customer, "name", where="order.customer."),
            email=common.text(customer, "email", where="order.customer."),
            phone=common.text(customer, "phone", where="order.customer."),
        ),
        amount=total,
        currency=common.currency(
            order, "currency", named_currency or default_currency, where=w
        ),
        payment_method=common.text(order, "payment_method", where=w),
        service=common.text(order, "service", where=w),
        notes=common.text(order, "notes", where=w),
        delivery_address=_pick(
            common.obj(order, "delivery_address", where=w), ADDRESS_KEYS
        ),
        package=_pick(common.obj(order, "package", where=w), PACKAGE_KEYS),
        tracking_number=common.text(order, "tracking_number", where=w),
        courier=common.text(order, "courier", where=w),
        tracking_url=_tracking_url(order),
        lines=common.lines(
            common.array(order, "lines", where=w),
            where="order.lines",
            title="title",
            price="unit_price",
        ),
        placed_at=common.moment(order, "placed_at", where=w),
        updated_at=common.moment(order, "updated_at", where=w),
    )
    return bounds.checked(incoming)


def _tracking_url(order: dict) -> str:
    url = common.text(order, "tracking_url", where="order.")
    if url and not common.web_url(url):
        raise common.MalformedPayload("'order.tracking_url' must be an http(s) URL.")
    return url


def _pick(source: dict, keys) -> dict:
    return {key: source[key] for key in keys if source.get(key) not in (None, "")}
