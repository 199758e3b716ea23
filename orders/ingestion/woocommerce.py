"""WooCommerce `order.created` and `order.updated` (the REST v3 order resource)."""

from orders.ingestion import common
from orders.ingestion.incoming import IncomingCustomer, IncomingOrder
from orders.models import Source
from orders.state_machine import OrderStatus

TOPICS = ("order.created", "order.updated")
STATUSES = {
    "pending": OrderStatus.PENDING,
    "failed": OrderStatus.PENDING,
    "processing": OrderStatus.PAYMENT_VERIFIED,
    "on-hold": OrderStatus.ON_HOLD,
    "completed": OrderStatus.SHIPPED,
    "cancelled": OrderStatus.CANCELLED,
    "refunded": OrderStatus.CANCELLED,
}
# The Shipment Tracking extension keeps its numbers in this meta key.
TRACKING_META = "_wc_shipment_tracking_items"


def parse_order(payload: dict, *, default_currency: str) -> IncomingOrder:
    external_id = common.text(payload, "id", required=True)
    status = common.text(payload, "status")
    billing = common.obj(payload, "billing")
    shipping = common.obj(payload, "shipping")
    total, _ = common.amount(payload, "total")
    return IncomingOrder(
        source=Source.WOOCOMMERCE,
        external_id=external_id,
        order_number=common.text(payload, "number") or external_id,
        status=STATUSES.get(status, OrderStatus.PENDING),
        customer=IncomingCustomer(
            name=" ".join(
                p for p in (billing.get("first_name"), billing.get("last_name")) if p
            ),
            email=common.text(billing, "email"),
            phone=common.text(billing, "phone") or common.text(shipping, "phone"),
        ),
        amount=total,
        currency=common.currency(payload, "currency", default_currency),
        payment_method=common.text(payload, "payment_method_title")[:50],
        notes=common.text(payload, "customer_note"),
        delivery_address=common.address(shipping or billing),
        lines=common.lines(
            common.array(payload, "line_items"),
            where="line_items",
            title="name",
            price="price",
        ),
        placed_at=common.moment(payload, "date_created_gmt"),
        updated_at=common.moment(payload, "date_modified_gmt"),
        **_tracking(common.array(payload, "meta_data")),
    )


def _tracking(meta_data: list) -> dict:
    for entry in meta_data:
        if isinstance(entry, dict) and entry.get("key") == TRACKING_META:
            items = entry.get("value") or []
            for item in items if isinstance(items, list) else []:
                if isinstance(item, dict) and item.get("tracking_number"):
                    return {
                        "tracking_number": str(item["tracking_number"])[:64],
                        "courier": str(
                            item.get("tracking_provider")
                            or item.get("custom_tracking_provider")
                            or ""
                        )[:64],
                        "tracking_url": common.web_url(
                            str(item.get("custom_tracking_link") or "")
                        )[:500],
                    }
    return {}
