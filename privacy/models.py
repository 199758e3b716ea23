from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.timezone import now

from orders.models import Customer, Merchant


class PrivacyRequest(models.Model):
    """A customer's request about their personal data (docs/privacy.md): an
    erasure waits for the merchant's staff to carry it out or decline it; an
    export the customer downloaded themselves is recorded done."""

    class Kind(models.TextChoices):
        EXPORT = "export", "Export"
        ERASURE = "erasure", "Erasure"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        DONE = "done", "Done"
        DECLINED = "declined", "Declined"

    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="+")
    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="privacy_requests"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.OPEN
    )
    requested_at = models.DateTimeField(default=now)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    outcome = models.CharField(
        max_length=300, blank=True, help_text="Why it was declined, or what was done."
    )

    class Meta:
        ordering = ["-requested_at", "-id"]
        constraints = [
            # One open request of a kind per customer: asking twice is one request.
            models.UniqueConstraint(
                fields=["customer", "kind"],
                condition=Q(status="open"),
                name="privacy_request_one_open",
            )
        ]
        indexes = [
            models.Index(
                fields=["merchant", "-requested_at"],
                condition=Q(status="open"),
                name="privacy_request_open_idx",
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()} of {self.customer_id} ({self.status})"

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN
