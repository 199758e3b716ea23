"""The merchant's approved WhatsApp template messages: what may reach a customer
on WhatsApp more than 24 hours after their last message there (messaging.
whatsapp_templates; docs/messaging-channels.md, "Template messages")."""

from django.conf import settings
from django.db import models
from django.utils.timezone import now

from orders.models import Merchant


class WhatsAppTemplate(models.Model):
    """A template as approved in Meta's WhatsApp Manager: its name, the language
    it was approved in, its body as approved (with {{1}}, {{2}}...) and which of
    our variables fill those placeholders, in order."""

    class Purpose(models.TextChoices):
        ORDER_UPDATE = "order_update", "Order update (status and shipping news)"
        REPLY_WAITING = "reply_waiting", "Reply waiting (a staff reply)"

    merchant = models.ForeignKey(
        Merchant, on_delete=models.CASCADE, related_name="whatsapp_templates"
    )
    purpose = models.CharField(max_length=32, choices=Purpose.choices)
    name = models.CharField(
        max_length=512, help_text="The template's name in WhatsApp Manager."
    )
    language = models.CharField(
        max_length=8, help_text="Our language code (en, sv, nb, da)."
    )
    language_code = models.CharField(
        max_length=16, help_text="Meta's language code it was approved in (en_US...)."
    )
    body = models.TextField(help_text="The body as approved, with {{1}}, {{2}}...")
    parameters = models.JSONField(
        default=list, help_text="Our variables filling {{1}}, {{2}}..., in order."
    )
    active = models.BooleanField(default=True)
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
        ordering = ["purpose", "language", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["merchant", "purpose", "language"],
                name="whatsapp_template_purpose_language_unique",
            )
        ]

    def __str__(self):
        return f"{self.name} ({self.language_code})"
