"""Reads behind the customer's dashboard, each a fixed number of queries, all
starting from `portal.selectors`."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Prefetch, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from invoices.selectors import PaymentStatus
from orders.models import Order, OrderEvent, OrderLine
from orders.state_machine import OPEN
from portal import order_timeline
from portal.selectors import portal_invoices, portal_orders, portal_payments
from shipments.models import TrackingEvent

NOTIFICATIONS = 8
# Courier scans read to find the milestones among them (repeated "in transit"
# scans are folded): enough for the panel, bounded whatever the history.
_SCANS_READ = 40


def with_rows(orders: QuerySet[Order]) -> QuerySet[Order]:
    """What a row of orders shows, prefetched: the lines (the items summary)."""
    return orders.prefetch_related(
        Prefetch("lines", queryset=OrderLine.objects.order_by("id"))
    )


def active_orders(user) -> QuerySet[Order]:
    """Orders still under way: neither final nor delivered."""
    return portal_orders(user).filter(status__in=OPEN)


@dataclass(frozen=True)
class Notification:
    order: Order
    text: str
    at: datetime
    detail: str = ""  # the courier's location, for a parcel milestone
    tone: str = "blue"


def notifications(user, *, limit: int = NOTIFICATIONS) -> list[Notification]:
    """Recent status updates of the customer's orders, newest first: status
    changes, tracking becoming available, and parcel milestones. In the
    customer's words: never an event's note or who made the change."""
    orders = portal_orders(user).order_by()
    events = (
        OrderEvent.objects.filter(order__in=orders.values("pk"))
        .filter(
            Q(kind=OrderEvent.Kind.STATUS_CHANGED)
            | Q(kind=OrderEvent.Kind.TRACKING, data__changed__has_key="tracking_number")
        )
        .exclude(to_status=Order.Status.DRAFT, kind=OrderEvent.Kind.STATUS_CHANGED)
        .select_related("order")
        .only("kind", "to_status", "created_at", "data", "order__order_number")
        .order_by("-created_at", "-id")[:limit]
    )
    items = [_from_event(event) for event in events]
    scans = (
        TrackingEvent.objects.filter(shipment__order__in=orders.values("pk"))
        .filter(status__in=list(order_timeline.TRACKING_NEWS))
        .select_related("shipment__order")
        .only(
            "status",
            "occurred_at",
            "location",
            "shipment__order__order_number",
        )
        .order_by("-occurred_at", "-id")[:_SCANS_READ]
    )
    seen = set()
    for scan in scans:  # newest first: keep the latest scan of each milestone
        key = (scan.shipment_id, scan.status)
        if key not in seen:
            seen.add(key)
            items.append(_from_scan(scan))
    items.sort(key=lambda item: item.at, reverse=True)
    return [item for item in items if item.text][:limit]


def _from_event(event: OrderEvent) -> Notification:
    if event.kind == OrderEvent.Kind.TRACKING:
        text = _("Tracking is available for your parcel.")
        tone = "blue"
    else:
        text = order_timeline.status_news(event.to_status)
        tone = {
            Order.Status.ON_HOLD: "red",
            Order.Status.CANCELLED: "grey",
            Order.Status.DELIVERED: "green",
            Order.Status.COMPLETE: "green",
        }.get(event.to_status, "blue")
    return Notification(order=event.order, text=text, at=event.created_at, tone=tone)


def _from_scan(scan: TrackingEvent) -> Notification:
    tone = {"delivered": "green"}.get(scan.status, "blue")
    if scan.status in ("attempt_failed", "exception", "returned", "expired"):
        tone = "red"
    return Notification(
        order=scan.shipment.order,
        text=order_timeline.tracking_news(scan.status),
        at=scan.occurred_at,
        detail=scan.location,
        tone=tone,
    )


def latest_invoice(user):
    return portal_invoices(user).exclude(payment_status=PaymentStatus.VOID).first()


def recent_payments(user, *, limit: int = 3):
    return list(portal_payments(user)[:limit])
