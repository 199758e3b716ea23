"""The order state machine: statuses and the transitions allowed between them.

This table is the whole rule; docs/order-status.md renders it for people. Two flows
share it: service orders (payment verified -> in progress -> in review -> complete)
and physical orders (pending -> confirmed -> shipped -> delivered -> complete), plus
on hold (resumable) and cancelled (final). `orders.services.order_change_status` is
the only code that moves an order along it.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from performile.errors import ApplicationError


class OrderStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PENDING = "pending", _("Pending")
    PAYMENT_VERIFIED = "payment_verified", _("Payment verified")
    IN_PROGRESS = "in_progress", _("In progress")
    IN_REVIEW = "in_review", _("In review")
    CONFIRMED = "confirmed", _("Confirmed")
    SHIPPED = "shipped", _("Shipped")
    DELIVERED = "delivered", _("Delivered")
    COMPLETE = "complete", _("Complete")
    ON_HOLD = "on_hold", _("On hold")
    CANCELLED = "cancelled", _("Cancelled")


S = OrderStatus

# Work that is under way and may be paused; on hold resumes to any of them.
RESUMABLE = (
    S.PENDING,
    S.PAYMENT_VERIFIED,
    S.IN_PROGRESS,
    S.IN_REVIEW,
    S.CONFIRMED,
    S.SHIPPED,
)

TRANSITIONS: dict[str, tuple[str, ...]] = {
    S.DRAFT: (S.PENDING, S.PAYMENT_VERIFIED, S.CANCELLED),
    S.PENDING: (
        S.PAYMENT_VERIFIED,
        S.IN_PROGRESS,
        S.CONFIRMED,
        S.SHIPPED,
        S.ON_HOLD,
        S.CANCELLED,
    ),
    S.PAYMENT_VERIFIED: (S.IN_PROGRESS, S.CONFIRMED, S.SHIPPED, S.ON_HOLD, S.CANCELLED),
    S.IN_PROGRESS: (S.IN_REVIEW, S.CONFIRMED, S.COMPLETE, S.ON_HOLD, S.CANCELLED),
    S.IN_REVIEW: (S.IN_PROGRESS, S.COMPLETE, S.ON_HOLD, S.CANCELLED),
    S.CONFIRMED: (S.SHIPPED, S.ON_HOLD, S.CANCELLED),
    S.SHIPPED: (S.DELIVERED, S.ON_HOLD),
    S.DELIVERED: (S.COMPLETE,),
    S.COMPLETE: (),
    S.ON_HOLD: (*RESUMABLE, S.CANCELLED),
    S.CANCELLED: (),
}

# The two flows an order's progress is shown along (the portal's timeline, the
# Discord progress bar); other statuses are shown apart. `flow_of` says which.
SERVICE_FLOW = (S.PAYMENT_VERIFIED, S.IN_PROGRESS, S.IN_REVIEW, S.COMPLETE)
PHYSICAL_FLOW = (S.PENDING, S.CONFIRMED, S.SHIPPED, S.DELIVERED)

FINAL = frozenset(status for status, targets in TRANSITIONS.items() if not targets)
# Orders someone still has to work on (the Orders view's default "open" filter).
OPEN = frozenset(set(TRANSITIONS) - FINAL - {S.DELIVERED})
# Before dispatch: a shipment can still be booked.
BOOKABLE = frozenset({S.PENDING, S.PAYMENT_VERIFIED, S.IN_PROGRESS, S.CONFIRMED})


class InvalidTransition(ApplicationError):
    code = "invalid_transition"

    def __init__(self, from_status: str, to_status: str):
        self.from_status = from_status
        self.to_status = to_status
        allowed = ", ".join(label(s) for s in TRANSITIONS[from_status]) or "none"
        message = (
            f"An order cannot go from {label(from_status)} to {label(to_status)}"
            f" (allowed: {allowed})."
        )
        super().__init__(message, fields={"status": [message]})


def label(status: str) -> str:
    try:
        return str(OrderStatus(status).label)
    except ValueError:
        return str(status)


def can_transition(from_status: str, to_status: str) -> bool:
    return to_status in TRANSITIONS.get(from_status, ())


def check_transition(from_status: str, to_status: str) -> None:
    if not can_transition(from_status, to_status):
        raise InvalidTransition(from_status, to_status)


def flow_of(order) -> tuple[str, ...]:
    """The flow `order` is on: a service order (one with a service) the service
    flow, any other the physical flow, whatever its status (a paid webshop order in
    payment verified is still physical)."""
    return SERVICE_FLOW if order.is_service else PHYSICAL_FLOW
