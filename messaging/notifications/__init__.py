"""Telling people what happened (docs/messaging-notifications.md): customers about
their orders (`customers`), staff about unseen customer messages (`digests`)."""

from messaging.notifications.customers import (
    Notice,
    customer_notify,
    notification_preference,
    notification_routes,
    order_announce_status_change,
    shipment_announce_booking,
    shipment_announce_status,
)
from messaging.notifications.digests import message_digest_send, messages_send_digests

__all__ = [
    "Notice",
    "customer_notify",
    "message_digest_send",
    "messages_send_digests",
    "notification_preference",
    "notification_routes",
    "order_announce_status_change",
    "shipment_announce_booking",
    "shipment_announce_status",
]
