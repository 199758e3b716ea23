"""Shopify `orders/create` and `orders/updated` (the REST Admin order resource)."""

from orders.ingestion import common
from orders.ingestion.incoming import IncomingCustomer, IncomingOrder
from orders.models import Source
from orders.state_machine import OrderStatus

TOPICS = ("orders/create", "orders/updated")
PAID = ("paid", "partially_refunded")


def parse_order(payload: dict, *, default_currency: str) -> IncomingOrder:
    external_id = common.text(payload, "id", required=True)
    number = common.text(payload, "name") or common.text(payload, "order_number")
    if not number:
        raise common.MalformedPayload("'name' or 'order_number' is required.")
    total, _ = common.amount(payload, "total_price")
    customer = common.obj(payload, "customer")
    shipping = common.obj(payload, "shipping_address")
    tracking = _first_tracking(common.array(payload, "fulfillments"))
    return IncomingOrder(
        source=Source.SHOPIFY,
        external_id=external_id,
        order_number=number,
        status=_status(payload),
        customer=IncomingCustomer(
            name=" ".join(
                p for p in (customer.get("first_name"), customer.get("last_name")) if p
            )
            or shipping.get("name", ""),
            email=common.text(payload, "email") or common.text(customer, "email"),
            phone=common.text(payload, "phone")
            or common.text(customer, "phone")
            or common.text(shipping, "phone"),
        ),
        amount=total,
        currency=common.currency(payload, "currency", default_currency),
        payment_method=", ".join(
            str(g) for g in common.array(payload, "payment_gateway_names")
        )[:50],
        notes=common.text(payload, "note"),
        delivery_address=common.address(shipping),
        lines=common.lines(
            common.array(payload, "line_items"),
            where="line_items",
            title="title",
            price="price",
        ),
        placed_at=common.moment(payload, "created_at"),
        updated_at=common.moment(payload, "updated_at"),
        **tracking,
    )


def _status(payload: dict) -> str:
    if payload.get("cancelled_at"):
        return OrderStatus.CANCELLED
    if payload.get("fulfillment_status") == "fulfilled":
        return OrderStatus.SHIPPED
    if payload.get("financial_status") in PAID:
        return OrderStatus.PAYMENT_VERIFIED
    return OrderStatus.PENDING


def _first_tracking(fulfillments: list) -> dict:
    for index, fulfillment in enumerate(fulfillments):
        if not isinstance(fulfillment, dict):
            raise common.MalformedPayload(f"'fulfillments[{index}]' must be an object.")
        number = common.text(fulfillment, "tracking_number")
        if number:
            return {
                "tracking_number": number[:64],
                "courier": common.text(fulfillment, "tracking_company")[:64],
                "tracking_url": common.web_url(
                    common.text(fulfillment, "tracking_url")
                )[:500],
            }
    return {}
