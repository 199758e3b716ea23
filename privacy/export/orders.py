"""The customer's orders in their export: lines, timeline, shipments, tracking."""

from orders.models import Order
from shipments.models import Shipment

ORDER_FIELDS = (
    "order_number",
    "source",
    "external_id",
    "status",
    "service",
    "payment_method",
    "shipping_method",
    "amount",
    "tax_amount",
    "currency",
    "notes",
    "delivery_address",
    "package",
    "tracking_number",
    "courier",
    "tracking_url",
    "tracking_status",
    "estimated_delivery",
    "placed_at",
    "created_at",
    "updated_at",
    "deleted_at",
)


def orders_section(orders: list[Order]) -> list[dict]:
    return [_order(order) for order in orders]


def _order(order: Order) -> dict:
    shown = {name: getattr(order, name) for name in ORDER_FIELDS}
    shown["store"] = order.store.name
    shown["lines"] = [
        {
            "kind": line.kind,
            "sku": line.sku,
            "title": line.title,
            "quantity": line.quantity,
            "unit_price": line.unit_price,
            "tax_rate": line.tax_rate,
        }
        for line in order.lines.all()
    ]
    # The timeline as the portal tells it: what happened and when, never the
    # merchant's notes or who on the staff did it.
    shown["events"] = [
        {
            "kind": event.kind,
            "from_status": event.from_status,
            "to_status": event.to_status,
            "at": event.created_at,
        }
        for event in order.events.all()
    ]
    shown["shipments"] = _shipments(order)
    return shown


def _shipments(order: Order) -> list[dict]:
    shipments = (
        Shipment.objects.filter(order=order)
        .select_related("account")
        .prefetch_related("events")
        .order_by("id")
    )
    return [
        {
            "courier": shipment.account.name,
            "tracking_number": shipment.tracking_number,
            "status": shipment.status,
            "recipient": shipment.recipient,
            "booked_at": shipment.created_at,
            "estimated_delivery": shipment.estimated_delivery,
            "delivered_at": shipment.delivered_at,
            "tracking": [
                {
                    "status": event.status,
                    "description": event.description,
                    "location": event.location,
                    "at": event.occurred_at,
                }
                for event in shipment.events.all()
            ],
        }
        for shipment in shipments
    ]
