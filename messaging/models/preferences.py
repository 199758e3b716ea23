"""How a customer wants to hear about their orders."""

from django.core.validators import MaxValueValidator
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
    # Texts and WhatsApp messages wait outside these hours (the shop's time);
    # email goes at once. Start after end wraps past midnight (21-08).
    quiet_hours = models.BooleanField(
        default=True,
        db_default=True,
        help_text="No texts or WhatsApp messages between quiet_start and quiet_end.",
    )
    quiet_start = models.PositiveSmallIntegerField(
        default=21, db_default=21, validators=[MaxValueValidator(23)]
    )
    quiet_end = models.PositiveSmallIntegerField(
        default=8, db_default=8, validators=[MaxValueValidator(23)]
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(quiet_start__lte=23, quiet_end__lte=23)
                & ~models.Q(quiet_start=models.F("quiet_end")),
                name="quiet_hours_are_hours",
            )
        ]

    def __str__(self):
        return f"Notification preferences of {self.customer}"
