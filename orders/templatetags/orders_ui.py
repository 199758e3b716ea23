"""Presentation helpers for the Orders view templates."""

from decimal import Decimal
from urllib.parse import urlsplit

from django import template
from django.utils import timezone
from django.utils.translation import gettext as _

from orders import labels, selectors, table, tracking
from orders.models import Order, OrderEvent, Source
from orders.money import SYMBOLS
from orders.state_machine import OrderStatus, label
from orders.tracking import TrackingStatus

register = template.Library()

_SYMBOL_OF = {code: symbol for symbol, code in SYMBOLS.items()}


@register.filter
def money(amount, currency: str = "") -> str:
    """€150.00, $1,200.00, 1,234.50 SEK."""
    if amount in (None, ""):
        return ""
    text = f"{Decimal(amount):,.2f}"
    symbol = _SYMBOL_OF.get(currency)
    return f"{symbol}{text}" if symbol else f"{text} {currency}".strip()


@register.filter
def payment_method_label(code: str) -> str:
    """shopify_payments -> Shopify Payments (orders.labels)."""
    return labels.payment_method_label(code)


@register.filter
def web_url(url: str) -> str:
    """The URL if it is http(s), else "": a webshop-sent tracking link must not
    become a javascript: link in a merchant's browser."""
    try:
        scheme = urlsplit(url or "").scheme.lower()
    except ValueError:
        return ""
    return url if scheme in ("http", "https") else ""


@register.simple_tag
def event_title(event: OrderEvent) -> str:
    """One line that says what happened, for the order's timeline."""
    Kind = OrderEvent.Kind
    if event.kind == Kind.STATUS_CHANGED:
        return f"{label(event.from_status)} → {label(event.to_status)}"
    if event.kind == Kind.CREATED:
        source = (event.data or {}).get("source", "")
        name = dict(Source.choices).get(source, source.title())
        via = f" via {name}" if source and source != Source.MANUAL else ""
        status = f" as {label(event.to_status)}" if event.to_status else ""
        return f"Order created{via}{status}"
    if event.kind == Kind.TRACKING:
        return (
            "Tracking added"
            if "tracking_number" in (event.data or {}).get("changed", {})
            else "Tracking update"
        )
    if event.kind == Kind.DELETED:
        return "Order deleted"
    if event.kind == Kind.UPDATED and (event.data or {}).get("restored"):
        return "Order restored"
    if event.kind == Kind.UPDATED:
        changed = sorted((event.data or {}).get("changed", {}))
        names = ", ".join(name.replace("_", " ") for name in changed)
        return f"Updated {names}" if names else "Order updated"
    return event.get_kind_display()


@register.filter
def dimensions(package: dict) -> str:
    """30 × 20 × 10 cm, from whichever sides are known."""
    sides = [package.get(f"{side}_cm") for side in ("length", "width", "height")]
    known = [_plain(side) for side in sides if side not in (None, "")]
    return f"{' × '.join(known)} cm" if known else ""


@register.filter
def plain_number(value) -> str:
    return _plain(value)


def _plain(value) -> str:
    """2.500 -> 2.5, 30.0 -> 30."""
    try:
        number = Decimal(str(value))
    except ArithmeticError:
        return str(value)
    text = f"{number:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


@register.simple_tag
def eta_countdown(order: Order) -> str:
    """ "Arrives in 2 days", counted in the current (the merchant's) time zone; ""
    when there is no ETA or the parcel has arrived."""
    eta = order.estimated_delivery
    arrived = order.tracking_status == TrackingStatus.DELIVERED or order.status in (
        OrderStatus.DELIVERED,
        OrderStatus.COMPLETE,
        OrderStatus.CANCELLED,
    )
    if eta is None or arrived:
        return ""
    days = (eta - timezone.localdate()).days
    if days > 1:
        return _("Arrives in %(days)s days") % {"days": days}
    if days == 1:
        return _("Arrives tomorrow")
    if days == 0:
        return _("Arrives today")
    if days == -1:
        return _("Was due yesterday")
    return _("Was due %(days)s days ago") % {"days": -days}


@register.simple_tag(takes_context=True)
def order_permissions(context, order: Order) -> dict:
    """What the signed-in user may do to this order from its row menu."""
    user = context["request"].user
    return {
        "work": selectors.order_is_workable_by(user, order),
        "delete": selectors.order_is_managed_by(user, order),
    }


@register.simple_tag
def action_reasons(order: Order) -> list:
    """Why the order needs action ("No tracking", "Customer waiting 5 h", ...)."""
    return table.action_reasons(order)


@register.simple_tag
def payment_badge(order: Order) -> tuple[str, str] | None:
    """(label, tone) of the order's payment state; None without an invoice."""
    code = getattr(order, "payment_state", None)
    if not code:
        return None
    return table.Payment.LABELS[code], table.Payment.TONES[code]


@register.simple_tag
def parcel_badge(order: Order) -> tuple[str, str] | None:
    """(label, tone) of the parcel's latest status; None before one is booked."""
    status = order.tracking_status
    if not status:
        return None
    if status in tracking.TROUBLE:
        tone = "red"
    elif status == TrackingStatus.DELIVERED:
        tone = "green"
    elif status in tracking.MOVING:
        tone = "blue"
    else:
        tone = "slate"
    return TrackingStatus(status).label, tone


@register.simple_tag(takes_context=True)
def sort_header(context, key: str) -> dict:
    """A sortable column's state: where its header links and its aria-sort. The
    default order (newest first) counts as the date column's descending."""
    current = context.get("sort") or "-date"
    if current == key:
        aria = "ascending"
    elif current == f"-{key}":
        aria = "descending"
    else:
        aria = "none"
    following = table.next_sort(current, key)
    return {
        "next": None if following == "-date" else following,
        "aria": aria,
        "label": table.SORT_LABELS[key],
    }
