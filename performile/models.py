from django.conf import settings
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


class OutboxMessage(models.Model):
    """One outbound notification (ARCHITECTURE.md, mechanism 4).

    Written in the same transaction as the change it tells about, sent by Celery
    afterwards (`performile.outbox`). `next_attempt_at` is when it is due: the first
    send, a retry after a backoff, or the end of a worker's lease while it sends.
    """

    class Channel(models.TextChoices):
        EMAIL = "email", "Email"
        SMS = "sms", "SMS"
        WHATSAPP = "whatsapp", "WhatsApp"
        DISCORD = "discord", "Discord"

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        DELIVERED = "delivered", "Delivered"
        READ = "read", "Read"
        FAILED = "failed", "Failed"

    channel = models.CharField(max_length=16, choices=Channel.choices)
    recipient = models.CharField(
        max_length=320, help_text="Email address, E.164 phone number or channel id."
    )
    subject = models.CharField(max_length=300, blank=True)
    body = models.TextField()
    headers = models.JSONField(
        default=dict, blank=True, help_text="Email headers (Message-ID, threading)."
    )
    status = models.CharField(
        max_length=16, choices=Status.choices, default=Status.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    provider_message_id = models.CharField(max_length=255, blank=True)
    # A weak reference: performile sits below orders and never imports it.
    order_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            # The due sweep: only rows still waiting to go out are in it.
            models.Index(
                fields=["next_attempt_at"],
                name="outbox_due_idx",
                condition=models.Q(status__in=["queued", "sending"]),
            ),
            models.Index(fields=["status", "-created_at"], name="outbox_status_idx"),
            # Status callbacks find the message by the provider's id for it.
            models.Index(
                fields=["channel", "provider_message_id"], name="outbox_provider_idx"
            ),
        ]

    def __str__(self):
        return f"{self.get_channel_display()} to {self.recipient} ({self.status})"


class AuditEvent(models.Model):
    """Who did what, when (performile.audit): reads, replies, notes, links,
    downloads, sign-ins. Written once, never changed."""

    action = models.CharField(max_length=64, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_label = models.CharField(
        max_length=200, blank=True, help_text="Who acted when it was not a user."
    )
    # Weak references: performile sits below the apps it records for.
    object_type = models.CharField(max_length=64, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    order_id = models.BigIntegerField(null=True, blank=True)
    merchant_id = models.BigIntegerField(null=True, blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["order_id", "created_at"], name="audit_order_idx"),
            models.Index(fields=["actor", "-created_at"], name="audit_actor_idx"),
            models.Index(
                fields=["merchant_id", "-created_at"], name="audit_merchant_idx"
            ),
        ]

    def __str__(self):
        return f"{self.action} by {self.actor or self.actor_label or 'system'}"
