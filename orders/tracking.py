"""The normalized parcel-tracking vocabulary (AfterShip's tags are the anchor).

Defined here, in the lowest domain app, because an order carries its parcel's latest
status; the shipments app maps every courier's raw codes onto these.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class TrackingStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    INFO_RECEIVED = "info_received", _("Info received")
    IN_TRANSIT = "in_transit", _("In transit")
    OUT_FOR_DELIVERY = "out_for_delivery", _("Out for delivery")
    AVAILABLE_FOR_PICKUP = "available_for_pickup", _("Available for pickup")
    ATTEMPT_FAILED = "attempt_failed", _("Attempt failed")
    DELIVERED = "delivered", _("Delivered")
    EXCEPTION = "exception", _("Exception")
    RETURNED = "returned", _("Returned")
    EXPIRED = "expired", _("Expired")


T = TrackingStatus

MOVING = frozenset({T.IN_TRANSIT, T.OUT_FOR_DELIVERY, T.AVAILABLE_FOR_PICKUP})
TROUBLE = frozenset({T.ATTEMPT_FAILED, T.EXCEPTION, T.RETURNED, T.EXPIRED})

# Steps of the delivery progress indicator (0 = nothing booked yet).
PROGRESS = {
    T.PENDING: 1,
    T.INFO_RECEIVED: 1,
    T.IN_TRANSIT: 2,
    T.ATTEMPT_FAILED: 3,
    T.OUT_FOR_DELIVERY: 3,
    T.AVAILABLE_FOR_PICKUP: 3,
    T.DELIVERED: 4,
}
