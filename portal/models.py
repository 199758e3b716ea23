from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.timezone import now

from orders.models import Customer
from performile.models import OutboxMessage


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


class PortalInvitation(models.Model):
    """An invitation of a customer to the portal (portal.invitations): the account
    made for them, without a password, and the email with the link that sets one.
    Expired is not stored: an open invitation whose link is older than
    PASSWORD_RESET_TIMEOUT is expired (`state`)."""

    class Status(models.TextChoices):
        INVITED = "invited", "Invited"
        ACCEPTED = "accepted", "Accepted"
        REVOKED = "revoked", "Revoked"

    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="portal_invitations"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="portal_invitations",
        help_text="The account the invitation opens.",
    )
    email = models.EmailField(help_text="Where the link went.")
    status = models.CharField(
        max_length=16, choices=Status.choices, default=Status.INVITED
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(default=now)
    sent_at = models.DateTimeField(
        default=now, help_text="The last email: its link is valid from then."
    )
    sends = models.PositiveSmallIntegerField(default=1)
    message = models.ForeignKey(
        OutboxMessage,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The last email, in the outbox.",
    )
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["customer"],
                condition=Q(status="invited"),
                name="portal_invitation_one_open",
            )
        ]
        indexes = [
            models.Index(fields=["customer", "-created_at"], name="portal_inv_idx")
        ]

    def __str__(self):
        return f"{self.email} ({self.state})"

    @property
    def expires_at(self):
        return self.sent_at + timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT)

    @property
    def state(self) -> str:
        """invited, expired, accepted or revoked."""
        if self.status == self.Status.INVITED and self.expires_at <= now():
            return "expired"
        return self.status
