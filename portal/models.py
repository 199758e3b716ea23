from django.db import models
from django.db.models import Q
from django.utils.timezone import now

from orders.models import Customer


class DeliveryAddress(models.Model):
    """An address a customer keeps for their deliveries; one is the default."""

    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="delivery_addresses"
    )
    label = models.CharField(
        max_length=60, blank=True, help_text="Home, Office, Restaurant..."
    )
    name = models.CharField(max_length=200)
    company = models.CharField(max_length=200, blank=True)
    line1 = models.CharField("Address", max_length=200)
    line2 = models.CharField("Address line 2", max_length=200, blank=True)
    postal_code = models.CharField(max_length=20)
    city = models.CharField(max_length=100)
    region = models.CharField(max_length=100, blank=True)
    country = models.CharField(max_length=2, help_text="ISO 3166 code, e.g. SE.")
    phone = models.CharField(max_length=20, blank=True)
    is_default = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=now)

    class Meta:
        ordering = ["-is_default", "label", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["customer"],
                condition=Q(is_default=True),
                name="delivery_address_one_default",
            )
        ]

    def __str__(self):
        return self.label or f"{self.line1}, {self.city}"
