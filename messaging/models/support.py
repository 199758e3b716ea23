"""How a merchant's support works: what is answered without a person, and the
replies the team keeps ready."""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.timezone import now

from orders.models import Merchant, Store


class SupportSettings(models.Model):
    """One store's support settings. No row means the defaults."""

    store = models.OneToOneField(
        Store, on_delete=models.CASCADE, related_name="support_settings"
    )
    auto_answers = models.BooleanField(
        default=True,
        help_text="Answer “where is my order?” at once with the live status.",
    )
    satisfaction_surveys = models.BooleanField(
        default=True,
        db_default=True,
        help_text="Ask the customer “How did we do?” after a conversation is"
        " closed or an order delivered (docs/csat.md).",
    )
    # Service-level targets (messaging.sla); empty: no target.
    first_response_minutes = models.PositiveIntegerField(
        null=True,
        blank=True,
        default=240,
        validators=[MinValueValidator(1)],
        help_text="A customer who writes gets a person's reply within this time.",
    )
    resolution_hours = models.PositiveIntegerField(
        null=True,
        blank=True,
        default=48,
        validators=[MinValueValidator(1)],
        help_text="A conversation is closed within this time of its first message.",
    )
    updated_at = models.DateTimeField(default=now)

    class Meta:
        verbose_name_plural = "support settings"

    def __str__(self):
        return f"Support settings of {self.store}"


class CannedReply(models.Model):
    """A reply the merchant's team writes once and sends many times, with
    variables filled in from the order ({{order_number}}, {{tracking_link}}...;
    messaging.canned)."""

    merchant = models.ForeignKey(
        Merchant, on_delete=models.CASCADE, related_name="canned_replies"
    )
    title = models.CharField(max_length=80)
    body = models.TextField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(default=now)
    updated_at = models.DateTimeField(default=now)

    class Meta:
        ordering = ["title", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["merchant", "title"], name="canned_reply_title_unique"
            )
        ]

    def __str__(self):
        return self.title
