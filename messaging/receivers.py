"""Answers to other apps' domain events (subscribed in MessagingConfig.ready).

Each event arrives after its transaction committed (performile.events); the answer
is a system message in the order's thread and the customer's notification
(messaging.notifications), written together in a new transaction.
"""

from django.dispatch import receiver

from messaging import notifications
from messaging.models import Message, NotificationPreference, SatisfactionSurvey
from messaging.services.satisfaction import survey_schedule
from orders import signals as order_signals
from orders.models import Order
from orders.state_machine import OrderStatus
from shipments import signals as shipment_signals
from shipments.models import Shipment

# The order reached its customer: a physical order delivered, a service order
# complete (an order delivered, then complete, is asked once: ONCE_PER).
SURVEYED_STATUSES = frozenset({OrderStatus.DELIVERED, OrderStatus.COMPLETE})


@receiver(order_signals.order_status_changed, dispatch_uid="messaging-order-status")
def on_order_status_changed(sender, *, order_id, from_status, to_status, **kwargs):
    order = (
        Order.objects.select_related("store", "customer").filter(pk=order_id).first()
    )
    if order is not None:
        notifications.order_announce_status_change(
            order=order, from_status=from_status, to_status=to_status
        )
        if to_status in SURVEYED_STATUSES:
            survey_schedule(order=order, trigger=SatisfactionSurvey.Trigger.DELIVERED)


@receiver(shipment_signals.shipment_booked, dispatch_uid="messaging-shipment-booked")
def on_shipment_booked(sender, *, shipment_id, **kwargs):
    if shipment := _shipment(shipment_id):
        notifications.shipment_announce_booking(shipment=shipment)


@receiver(
    shipment_signals.shipment_status_changed, dispatch_uid="messaging-shipment-status"
)
def on_shipment_status_changed(sender, *, shipment_id, status, **kwargs):
    if shipment := _shipment(shipment_id):
        notifications.shipment_announce_status(shipment=shipment, status=status)


def _shipment(shipment_id) -> Shipment | None:
    return (
        Shipment.objects.select_related("order__store", "order__customer", "account")
        .filter(pk=shipment_id)
        .first()
    )


@receiver(order_signals.customer_merging, dispatch_uid="messaging-customer-merging")
def on_customer_merging(sender, *, customer_id, into_id, **kwargs):
    """Inside the merge's transaction: the customer's messages name the merged
    customer (the immutability trigger lets exactly this through), so do their
    satisfaction ratings, and their notification choices move unless the other customer made their own."""
    Message.objects.filter(author_customer_id=customer_id).update(
        author_customer_id=into_id
    )
    SatisfactionSurvey.objects.filter(customer_id=customer_id).update(
        customer_id=into_id
    )
    if NotificationPreference.objects.filter(customer_id=into_id).exists():
        NotificationPreference.objects.filter(customer_id=customer_id).delete()
    else:
        NotificationPreference.objects.filter(customer_id=customer_id).update(
            customer_id=into_id
        )
