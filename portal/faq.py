"""The Help page's questions and answers. The status tables come from the
platform's own labels (the order state machine, tracking statuses, invoice payment
statuses), so the page says what the other pages show."""

from invoices.selectors import PaymentStatus
from orders.state_machine import TRANSITIONS, OrderStatus, label
from orders.tracking import TrackingStatus

S = OrderStatus
T = TrackingStatus

ORDER_STATUS_MEANING = {
    S.DRAFT: "The order is being put together and is not placed yet.",
    S.PENDING: "We have your order and will confirm it shortly.",
    S.PAYMENT_VERIFIED: "Your payment is confirmed; work on your order starts soon.",
    S.IN_PROGRESS: "We are working on your order.",
    S.IN_REVIEW: "The work is done and being checked before we hand it over.",
    S.CONFIRMED: "Your order is confirmed and is being prepared for shipping.",
    S.SHIPPED: "Your parcel is on its way: follow it with the tracking link.",
    S.DELIVERED: "The courier has delivered your parcel.",
    S.COMPLETE: "Everything is done. Thank you for your order!",
    S.ON_HOLD: "We have paused the order, usually waiting for something from you"
    " or a supplier. We will tell you when it moves again.",
    S.CANCELLED: "The order was cancelled; any payment is returned to you.",
}

TRACKING_MEANING = {
    T.PENDING: "The shipment is booked; the courier has no scans yet.",
    T.INFO_RECEIVED: "The courier has the parcel's details and will pick it up.",
    T.IN_TRANSIT: "The parcel is moving through the courier's network.",
    T.OUT_FOR_DELIVERY: "The parcel is with the driver and arrives today.",
    T.AVAILABLE_FOR_PICKUP: "Collect your parcel at the pickup point.",
    T.ATTEMPT_FAILED: "The courier tried to deliver but could not; they try again"
    " or leave a note.",
    T.DELIVERED: "The parcel has been delivered.",
    T.EXCEPTION: "The courier reports a problem; we are looking into it.",
    T.RETURNED: "The parcel is on its way back to us.",
    T.EXPIRED: "The courier stopped reporting on this parcel.",
}

PAYMENT_MEANING = {
    PaymentStatus.PAID: "Paid in full (credit notes included).",
    PaymentStatus.PENDING: "Not paid yet, and not due yet.",
    PaymentStatus.OVERDUE: "Not fully paid and past its due date.",
    PaymentStatus.VOID: "Cancelled: nothing to pay.",
}


def order_statuses() -> list[dict]:
    """Every order status the customer may see, with its meaning and what can
    come after it (from the state machine)."""
    return [
        {
            "label": status.label,
            "meaning": ORDER_STATUS_MEANING.get(status, ""),
            "next": [label(target) for target in TRANSITIONS[status]],
        }
        for status in OrderStatus
    ]


def tracking_statuses() -> list[dict]:
    return [
        {"label": status.label, "meaning": TRACKING_MEANING.get(status, "")}
        for status in TrackingStatus
    ]


def payment_statuses() -> list[dict]:
    return [
        {"label": PaymentStatus.LABELS[key], "meaning": meaning}
        for key, meaning in PAYMENT_MEANING.items()
    ]
