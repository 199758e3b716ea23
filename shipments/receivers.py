"""Answers to the orders app's domain events (subscribed in ShipmentsConfig.ready).

An order that gets a tracking number, by whatever path, is tracked: a Celery task
(off the request that changed the order) runs `shipments.tracking.shipment_track`.
"""

from django.dispatch import receiver

from orders import signals as order_signals
from performile.events import delay_on_commit

# A new number, or a courier name that may tell us who carries it.
TRACKING_CHANGES = frozenset({"tracking_number", "courier"})


@receiver(order_signals.order_created, dispatch_uid="shipments-order-created")
def on_order_created(sender, *, order_id, tracking_number="", **kwargs):
    if tracking_number:
        track_later(order_id)


@receiver(order_signals.order_updated, dispatch_uid="shipments-order-updated")
def on_order_updated(sender, *, order_id, changed=(), **kwargs):
    if TRACKING_CHANGES.intersection(changed):
        track_later(order_id)


def track_later(order_id: int) -> None:
    from shipments.tasks import shipment_track

    delay_on_commit(shipment_track, order_id)
