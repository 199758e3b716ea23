"""The normalized parcel-tracking vocabulary (AfterShip's tags are the anchor).

Defined here, in the lowest domain app, because an order carries its parcel's latest
status; the shipments app maps every courier's raw codes onto these.
"""

from django.db import models


class TrackingStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    INFO_RECEIVED = "info_received", "Info received"
    IN_TRANSIT = "in_transit", "In transit"
    OUT_FOR_DELIVERY = "out_for_delivery", "Out for delivery"
    AVAILABLE_FOR_PICKUP = "available_for_pickup", "Available for pickup"
    ATTEMPT_FAILED = "attempt_failed", "Attempt failed"
    DELIVERED = "delivered", "Delivered"
    EXCEPTION = "exception", "Exception"
    RETURNED = "returned", "Returned"
    EXPIRED = "expired", "Expired"


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
