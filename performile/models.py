from django.db import models
from django.utils import timezone


class WebhookDelivery(models.Model):
    """One inbound delivery we have acted on, keyed by the provider's stable id.

    The unique constraint is what makes a repeated delivery a no-op: the row is
    written in the same transaction as the change it caused.
    """

    provider = models.CharField(max_length=32)
    delivery_id = models.CharField(max_length=255)
    received_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "delivery_id"], name="webhook_delivery_unique"
            )
        ]
        verbose_name_plural = "webhook deliveries"

    def __str__(self):
        return f"{self.provider}:{self.delivery_id}"
