"""WooCommerce `order.created` and `order.updated` (the REST v3 order resource)."""

from dataclasses import replace
from decimal import Decimal

from orders.ingestion import bounds, common
from orders.ingestion.incoming import (
    IncomingCustomer,
    IncomingLine,
    IncomingMoney,
    IncomingOrder,
    IncomingPayment,
)
from orders.models import OrderLine, Source
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
    rates = _rates(common.array(payload, "tax_lines"))
    shipping_lines = _charges(
        common.array(payload, "shipping_lines"),
        rates,
        where="shipping_lines",
        title="method_title",
        kind=OrderLine.Kind.SHIPPING,
    )
    incoming = IncomingOrder(
        source=Source.WOOCOMMERCE,
        external_id=external_id,
        order_number=common.text(payload, "number") or external_id,
        status=STATUSES.get(status, OrderStatus.PENDING),
        customer=IncomingCustomer(
            name=common.full_name(billing, where="billing."),
            email=common.text(billing, "email"),
            phone=common.text(billing, "phone") or common.text(shipping, "phone"),
        ),
        amount=total,
        currency=common.currency(payload, "currency", default_currency),
        # WooCommerce's line totals exclude tax whatever the shop displays.
        tax_amount=common.amount(payload, "total_tax")[0],
        taxes_included=False,
        shipping_method=shipping_lines[0].title if shipping_lines else "",
        money=_money(payload, status, total),
        payment_method=common.text(payload, "payment_method_title"),
        notes=common.text(payload, "customer_note"),
        delivery_address=common.address(
            shipping or billing, where="shipping." if shipping else "billing."
        ),
        lines=(
            *_items(common.array(payload, "line_items"), rates),
            *common.discount(
                payload,
                total_key="discount_total",
                codes_key="coupon_lines",
                tax_rate=next(iter(rates.values()), None),
            ),
            *shipping_lines,
            *_charges(
                common.array(payload, "fee_lines"),
                rates,
                where="fee_lines",
                title="name",
                kind=OrderLine.Kind.FEE,
            ),
        ),
        placed_at=common.moment(payload, "date_created_gmt"),
        updated_at=common.moment(payload, "date_modified_gmt"),
        **_tracking(common.array(payload, "meta_data")),
    )
    return bounds.checked(incoming)


def _rates(tax_lines: list) -> dict:
    """Tax rate ids to percent, from the order's `tax_lines`."""
    rates = {}
    for tax in tax_lines:
        if isinstance(tax, dict) and tax.get("rate_percent") not in (None, ""):
            try:
                rates[str(tax.get("rate_id"))] = Decimal(str(tax["rate_percent"]))
            except ArithmeticError:
                continue
    return rates


def _rate(item: dict, rates: dict) -> Decimal | None:
    for tax in item.get("taxes") or []:
        if isinstance(tax, dict) and str(tax.get("id")) in rates:
            return rates[str(tax.get("id"))]
    return None


def _items(line_items: list, rates: dict) -> tuple[IncomingLine, ...]:
    """Items at their price before coupons (`subtotal`), the coupons being the
    discount line; `price` is after them."""
    lines = common.lines(
        line_items,
        where="line_items",
        title="name",
        price="price",
        details=lambda item: {"tax_rate": _rate(item, rates)},
    )
    return tuple(
        replace(line, unit_price=_before_coupons(line, item, f"line_items[{index}]."))
        for index, (line, item) in enumerate(zip(lines, line_items, strict=True))
    )


def _before_coupons(line: IncomingLine, item: dict, where: str) -> Decimal:
    if item.get("subtotal") in (None, ""):
        return line.unit_price
    subtotal, _ = common.amount(item, "subtotal", where=where)
    return (subtotal / line.quantity).quantize(Decimal("0.01"))


def _charges(items: list, rates: dict, *, where: str, title: str, kind: str):
    """Shipping and fee lines: one of each at its `total`."""
    return common.lines(
        items,
        where=where,
        title=title,
        price="total",
        kind=kind,
        details=lambda item: {"tax_rate": _rate(item, rates)},
    )


def _money(payload: dict, status: str, total: Decimal) -> IncomingMoney:
    """Paid in full once `date_paid` is set; refunds under their own ids."""
    paid = (
        total
        if payload.get("date_paid_gmt") or payload.get("date_paid")
        else Decimal("0")
    )
    refunds = []
    for index, refund in enumerate(common.array(payload, "refunds")):
        where = f"refunds[{index}]."
        if not isinstance(refund, dict):
            raise common.MalformedPayload(f"'{where[:-1]}' must be an object.")
        amount = _magnitude(refund, where)
        if amount:
            refunds.append(
                IncomingPayment(
                    provider_id=f"woocommerce:refund:{common.text(refund, 'id', required=True, where=where)}",
                    amount=-amount,
                    note=common.text(refund, "reason", where=where)[:300],
                )
            )
    cancelled = status in ("cancelled", "refunded")
    return IncomingMoney(
        paid=paid,
        gateway=common.text(payload, "payment_method_title"),
        refunds=tuple(refunds),
        cancelled=cancelled,
        reason=f"{status.capitalize()} in WooCommerce" if cancelled else "",
    )


def _magnitude(refund: dict, where: str) -> Decimal:
    """A refund's `total` is negative ("-10.00")."""
    raw = refund.get("total")
    if isinstance(raw, str):
        raw = raw.strip().removeprefix("-")
    elif isinstance(raw, int | float) and not isinstance(raw, bool):
        raw = abs(raw)
    amount, _ = common.amount({"total": raw}, "total", where=where)
    return amount


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
