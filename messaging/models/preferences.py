"""How a customer wants to hear about their orders."""

from django.db import models

from orders.models import Customer


class NotificationPreference(models.Model):
    """How a customer hears about their orders (messaging.notifications). No row
    means the defaults: email only, for order and shipping updates."""

    customer = models.OneToOneField(
        Customer, on_delete=models.CASCADE, related_name="notification_preference"
    )
    email = models.BooleanField(default=True)
    sms = models.BooleanField(default=False)
    whatsapp = models.BooleanField(default=False)
    order_updates = models.BooleanField(
        default=True, help_text="Status changes: confirmed, cancelled, complete..."
    )
    shipping_updates = models.BooleanField(
        default=True, help_text="Shipment booked and tracking milestones."
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"Notification preferences of {self.customer}"
