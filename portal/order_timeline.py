"""How an order's progress reads to its customer: the steps of its flow (done,
current, upcoming) and status updates in plain words.

Nothing here queries: callers hand in the order with its events prefetched. Only
what the customer may see is used (statuses, dates, courier scans): never an
event's note, data or actor, which are the merchant's.
"""

from dataclasses import dataclass
from datetime import datetime

from django.utils.translation import gettext_lazy as _

from orders.models import OrderEvent
from orders.state_machine import PHYSICAL_FLOW, OrderStatus, flow_of
from orders.tracking import TrackingStatus

S = OrderStatus
T = TrackingStatus

STEP_LABELS = {
    S.PENDING: _("Order received"),
    S.CONFIRMED: _("Confirmed"),
    S.SHIPPED: _("Shipped"),
    S.DELIVERED: _("Delivered"),
    S.PAYMENT_VERIFIED: _("Payment received"),
    S.IN_PROGRESS: _("In progress"),
    S.IN_REVIEW: _("In review"),
    S.COMPLETE: _("Complete"),
}

# Statuses outside an order's own flow, placed on the step they belong to (a
# physical order may pass through payment verified; a service order rarely
# through confirmed or shipped).
_PHYSICAL_RANK = {
    S.PAYMENT_VERIFIED: 0,
    S.IN_PROGRESS: 0,
    S.IN_REVIEW: 0,
    S.COMPLETE: len(PHYSICAL_FLOW),
}
_SERVICE_RANK = {
    S.CONFIRMED: 1,
    S.SHIPPED: 2,
    S.DELIVERED: 3,
}

# What a status change says to the customer (drafts are not news).
STATUS_NEWS = {
    S.PENDING: _("We have received your order."),
    S.PAYMENT_VERIFIED: _("Your payment was received."),
    S.IN_PROGRESS: _("We are working on your order."),
    S.IN_REVIEW: _("Your order is being reviewed before completion."),
    S.CONFIRMED: _("Your order is confirmed."),
    S.SHIPPED: _("Your order is on its way."),
    S.DELIVERED: _("Your order was delivered."),
    S.COMPLETE: _("Your order is complete."),
    S.ON_HOLD: _("Your order is on hold. We will be in touch."),
    S.CANCELLED: _("Your order was cancelled."),
}

# The parcel milestones worth a notification (a scan that only repeats "in
# transit" at another terminal is shown on the order, not announced).
TRACKING_NEWS = {
    T.INFO_RECEIVED: _("The courier has your parcel's details."),
    T.IN_TRANSIT: _("Your parcel is in transit."),
    T.OUT_FOR_DELIVERY: _("Your parcel is out for delivery."),
    T.AVAILABLE_FOR_PICKUP: _("Your parcel is ready for pickup."),
    T.ATTEMPT_FAILED: _("The courier could not deliver your parcel."),
    T.DELIVERED: _("Your parcel was delivered."),
    T.EXCEPTION: _("Your parcel is delayed: the courier reported a problem."),
    T.RETURNED: _("Your parcel is being returned."),
    T.EXPIRED: _("Your parcel's tracking has expired."),
}


@dataclass(frozen=True)
class Step:
    status: str
    label: str
    state: str  # done, current, upcoming, halted (on hold), cancelled
    at: datetime | None


@dataclass(frozen=True)
class Timeline:
    steps: list[Step]
    kind: str  # service or physical
    interruption: str  # "", "on_hold" or "cancelled"
    interrupted_at: datetime | None
    waiting_for_payment: bool


def _rank(order, status: str) -> int:
    """The index of the flow step `status` stands on (-1: before the first step,
    len(flow): past the last)."""
    flow = flow_of(order)
    if status in flow:
        return flow.index(status)
    extra = _SERVICE_RANK if order.is_service else _PHYSICAL_RANK
    return extra.get(status, -1)


def order_timeline(order) -> Timeline:
    """The order's flow, each step with its state and the date it was reached.

    On hold and cancelled interrupt the flow where the order stood before them."""
    events = [
        event
        for event in order.events.all()
        if event.kind in (OrderEvent.Kind.STATUS_CHANGED, OrderEvent.Kind.CREATED)
        and event.to_status
    ]
    reached: dict[str, datetime] = {}
    for event in events:  # oldest first: a step reached twice shows its last time
        reached[event.to_status] = event.created_at
    status, interruption, interrupted_at = order.status, "", None
    if order.status in (S.ON_HOLD, S.CANCELLED):
        interruption = order.status
        interrupted_at = reached.get(order.status)
        status = _status_before(events, order.status)
    flow = flow_of(order)
    rank = _rank(order, status)
    steps = []
    for index, step in enumerate(flow):
        at = reached.get(step)
        if index == 0 and at is None and rank >= 0 and not order.is_service:
            at = order.placed_at
        if index < rank or (index == rank and index == len(flow) - 1):
            state = "done"
        elif index == rank:
            state = {"on_hold": "halted", "cancelled": "done"}.get(
                interruption, "current"
            )
        else:
            state = "cancelled" if interruption == S.CANCELLED else "upcoming"
            at = None
        steps.append(Step(step, STEP_LABELS[step], state, at))
    return Timeline(
        steps=steps,
        kind="service" if order.is_service else "physical",
        interruption=interruption,
        interrupted_at=interrupted_at,
        waiting_for_payment=order.is_service and rank < 0 and not interruption,
    )


def _status_before(events, interruption: str) -> str:
    """The status the order left for its (latest) hold or cancellation."""
    for event in reversed(events):
        if event.to_status == interruption and event.from_status:
            if event.from_status == S.ON_HOLD:  # cancelled while on hold
                return _status_before(events[: events.index(event)], S.ON_HOLD)
            return event.from_status
    return ""


def status_news(to_status: str) -> str:
    return STATUS_NEWS.get(to_status, "")


def tracking_news(status: str) -> str:
    return TRACKING_NEWS.get(status, "")
