"""Shopify's order topics (the REST Admin order resource), `refunds/create` and
`fulfillments/create` / `fulfillments/update`."""

from decimal import Decimal

from orders.ingestion import bounds, common
from orders.ingestion.incoming import (
    IncomingCustomer,
    IncomingMoney,
    IncomingOrder,
    IncomingPayment,
)
from orders.models import OrderLine, Source
from orders.state_machine import OrderStatus

ORDER_TOPICS = ("orders/create", "orders/updated", "orders/paid", "orders/cancelled")
REFUND_TOPICS = ("refunds/create",)
FULFILLMENT_TOPICS = ("fulfillments/create", "fulfillments/update")
TOPICS = ORDER_TOPICS + REFUND_TOPICS + FULFILLMENT_TOPICS
# Financial statuses after which the money was taken in full.
PAID = ("paid", "partially_refunded", "refunded")
ZERO = Decimal("0")


def parse_order(payload: dict, *, default_currency: str) -> IncomingOrder:
    external_id = common.text(payload, "id", required=True)
    number = common.text(payload, "name") or common.text(payload, "order_number")
    if not number:
        raise common.MalformedPayload("'name' or 'order_number' is required.")
    total, _ = common.amount(payload, "total_price")
    customer = common.obj(payload, "customer")
    shipping = common.obj(payload, "shipping_address")
    tracking = _first_tracking(common.array(payload, "fulfillments"))
    shipping_lines = common.lines(
        common.array(payload, "shipping_lines"),
        where="shipping_lines",
        title="title",
        price="price",
        kind=OrderLine.Kind.SHIPPING,
        details=lambda item: {"tax_rate": _rate(item)},
    )
    items = common.lines(
        common.array(payload, "line_items"),
        where="line_items",
        title="title",
        price="price",
        details=lambda item: {"tax_rate": _rate(item)},
    )
    incoming = IncomingOrder(
        source=Source.SHOPIFY,
        external_id=external_id,
        order_number=number,
        status=_status(payload),
        customer=IncomingCustomer(
            name=common.full_name(customer, where="customer.")
            or common.text(shipping, "name", where="shipping_address."),
            email=common.text(payload, "email") or common.text(customer, "email"),
            phone=common.text(payload, "phone")
            or common.text(customer, "phone")
            or common.text(shipping, "phone"),
        ),
        amount=total,
        currency=common.currency(payload, "currency", default_currency),
        tax_amount=common.amount(payload, "total_tax")[0],
        taxes_included=_flag(payload, "taxes_included"),
        shipping_method=shipping_lines[0].title if shipping_lines else "",
        money=_money(payload, total),
        payment_method=_gateways(payload),
        notes=common.text(payload, "note"),
        delivery_address=common.address(shipping, where="shipping_address."),
        package=_package(payload),
        lines=(
            *items,
            *common.discount(
                payload,
                total_key="total_discounts",
                codes_key="discount_codes",
                tax_rate=items[0].tax_rate if items else None,
            ),
            *shipping_lines,
        ),
        placed_at=common.moment(payload, "created_at"),
        updated_at=common.moment(payload, "updated_at"),
        **tracking,
    )
    return bounds.checked(incoming)


def _rate(item: dict) -> Decimal | None:
    """The line's tax rate in percent (Shopify sends 0.25 for 25 %)."""
    for tax in item.get("tax_lines") or []:
        if isinstance(tax, dict) and tax.get("rate") not in (None, ""):
            try:
                rate = Decimal(str(tax["rate"])) * 100
            except ArithmeticError:
                return None
            return rate.quantize(Decimal("0.01")) if 0 <= rate < 100 else None
    return None


def _package(payload: dict) -> dict:
    grams = payload.get("total_weight")
    if isinstance(grams, int) and 0 < grams < 10**8:
        return {"weight_kg": str(Decimal(grams) / 1000)}
    return {}


def _flag(payload: dict, key: str) -> bool | None:
    value = payload.get(key)
    return value if isinstance(value, bool) else None


def _gateways(payload: dict) -> str:
    return ", ".join(str(g) for g in common.array(payload, "payment_gateway_names"))


def _money(payload: dict, total: Decimal) -> IncomingMoney:
    """What the order says about its money: how much the shop has taken, its
    refunds (each under its own transaction id), and whether it was cancelled."""
    status = payload.get("financial_status")
    if status in PAID:
        paid = total
    elif status == "partially_paid":
        outstanding, _ = common.amount(payload, "total_outstanding")
        paid = max(total - outstanding, ZERO)
    else:
        paid = ZERO
    refunds = tuple(
        payment
        for index, refund in enumerate(common.array(payload, "refunds"))
        for payment in parse_refund(refund, where=f"refunds[{index}].")
    )
    cancelled = bool(payload.get("cancelled_at")) or status == "voided"
    return IncomingMoney(
        paid=paid,
        gateway=_gateways(payload),
        refunds=refunds,
        cancelled=cancelled,
        reason=f"Cancelled in Shopify ({payload.get('cancel_reason') or 'no reason'})"
        if cancelled
        else "",
    )


def parse_refund(refund, *, where: str = "") -> tuple[IncomingPayment, ...]:
    """The money a Shopify refund gave back: its successful refund transactions."""
    if not isinstance(refund, dict):
        raise common.MalformedPayload(
            f"'{where.rstrip('.') or 'refund'}' must be an object."
        )
    payments = []
    for index, txn in enumerate(common.array(refund, "transactions", where=where)):
        at = f"{where}transactions[{index}]."
        if not isinstance(txn, dict):
            raise common.MalformedPayload(f"'{at[:-1]}' must be an object.")
        if txn.get("kind") != "refund" or txn.get("status") != "success":
            continue
        amount, _ = common.amount(txn, "amount", where=at)
        payments.append(
            IncomingPayment(
                provider_id=f"shopify:refund:{common.text(txn, 'id', required=True, where=at)}",
                amount=-amount,
                received_at=common.moment(txn, "processed_at", where=at)
                or common.moment(refund, "created_at", where=where),
                gateway=common.text(txn, "gateway", where=at),
                note=common.text(refund, "note", where=where)[:300],
            )
        )
    return tuple(payments)


def parse_refund_event(payload: dict) -> tuple[str, IncomingMoney]:
    """`refunds/create`: (the order's Shopify id, the money given back)."""
    order_id = common.text(payload, "order_id", required=True)
    return order_id, IncomingMoney(refunds=parse_refund(payload))


def parse_fulfillment(payload: dict) -> tuple[str, dict]:
    """`fulfillments/create|update`: (the order's Shopify id, its tracking)."""
    order_id = common.text(payload, "order_id", required=True)
    return order_id, _first_tracking([payload])


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
        numbers = [common.text(fulfillment, "tracking_number")] + [
            str(n) for n in fulfillment.get("tracking_numbers") or [] if n
        ]
        urls = [common.text(fulfillment, "tracking_url")] + [
            str(u) for u in fulfillment.get("tracking_urls") or [] if u
        ]
        number = next((n for n in numbers if n), "")
        if number:
            return {
                "tracking_number": number[:64],
                "courier": common.text(fulfillment, "tracking_company")[:64],
                "tracking_url": common.web_url(next((u for u in urls if u), ""))[:500],
            }
    return {}
