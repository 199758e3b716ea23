"""The Help page's questions and answers. The status tables come from the
platform's own labels (the order state machine, tracking statuses, invoice payment
statuses), so the page says what the other pages show."""

from django.utils.translation import gettext_lazy as _

from invoices.selectors import PaymentStatus
from orders.state_machine import TRANSITIONS, OrderStatus, label
from orders.tracking import TrackingStatus

S = OrderStatus
T = TrackingStatus

ORDER_STATUS_MEANING = {
    S.DRAFT: _("The order is being put together and is not placed yet."),
    S.PENDING: _("We have your order and will confirm it shortly."),
    S.PAYMENT_VERIFIED: _("Your payment is confirmed; work on your order starts soon."),
    S.IN_PROGRESS: _("We are working on your order."),
    S.IN_REVIEW: _("The work is done and being checked before we hand it over."),
    S.CONFIRMED: _("Your order is confirmed and is being prepared for shipping."),
    S.SHIPPED: _("Your parcel is on its way: follow it with the tracking link."),
    S.DELIVERED: _("The courier has delivered your parcel."),
    S.COMPLETE: _("Everything is done. Thank you for your order!"),
    S.ON_HOLD: _(
        "We have paused the order, usually waiting for something from you"
        " or a supplier. We will tell you when it moves again."
    ),
    S.CANCELLED: _("The order was cancelled; any payment is returned to you."),
}

TRACKING_MEANING = {
    T.PENDING: _("The shipment is booked; the courier has no scans yet."),
    T.INFO_RECEIVED: _("The courier has the parcel's details and will pick it up."),
    T.IN_TRANSIT: _("The parcel is moving through the courier's network."),
    T.OUT_FOR_DELIVERY: _("The parcel is with the driver and arrives today."),
    T.AVAILABLE_FOR_PICKUP: _("Collect your parcel at the pickup point."),
    T.ATTEMPT_FAILED: _(
        "The courier tried to deliver but could not; they try again or leave a note."
    ),
    T.DELIVERED: _("The parcel has been delivered."),
    T.EXCEPTION: _("The courier reports a problem; we are looking into it."),
    T.RETURNED: _("The parcel is on its way back to us."),
    T.EXPIRED: _("The courier stopped reporting on this parcel."),
}

PAYMENT_MEANING = {
    PaymentStatus.PAID: _("Paid in full (credit notes included)."),
    PaymentStatus.PENDING: _("Not paid yet, and not due yet."),
    PaymentStatus.OVERDUE: _("Not fully paid and past its due date."),
    PaymentStatus.VOID: _("Cancelled: nothing to pay."),
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
