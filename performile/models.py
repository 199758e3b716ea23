from django.conf import settings
from django.db import models
from django.db.models.functions import Now
from django.utils import timezone


class InboundDelivery(models.Model):
    """One delivery a provider sent us, as received (ARCHITECTURE.md, mechanism 3).

    The webhook endpoint verifies the signature and writes this row, nothing else,
    and answers; appliers (`performile.inbound`) apply it later. `seq` orders the
    deliveries of one `entity` (an order, a parcel, a sender): an applier takes a
    row only when no earlier pending row of its entity is left. A row that fails
    gets a new `seq` and waits out a backoff, so it never holds up what came after.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        APPLIED = "applied", "Applied"
        DUPLICATE = "duplicate", "Duplicate"
        IGNORED = "ignored", "Ignored"
        FAILED = "failed", "Failed"

    provider = models.CharField(max_length=32)
    # The provider's id for the delivery; ids over 200 characters are kept as
    # "sha256:<digest>" (performile.inbound.key), never cut.
    delivery_id = models.CharField(max_length=255)
    entity = models.CharField(max_length=255)
    # Weak references: performile sits below the apps whose deliveries these are.
    store_id = models.BigIntegerField(null=True, blank=True)
    merchant_id = models.BigIntegerField(null=True, blank=True)
    route = models.JSONField(
        default=dict, blank=True, help_text="What the URL said: store, account, topic."
    )
    headers = models.JSONField(default=dict, blank=True)
    body = models.BinaryField()
    status = models.CharField(
        max_length=16, choices=Status.choices, default=Status.PENDING
    )
    seq = models.BigIntegerField(
        db_default=models.Func(
            models.Value("performile_inbound_seq"), function="nextval"
        ),
        editable=False,
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    available_at = models.DateTimeField(db_default=Now())
    received_at = models.DateTimeField(db_default=Now())
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)
    result = models.JSONField(default=dict, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "delivery_id"], name="inbound_delivery_unique"
            )
        ]
        indexes = [
            # The claim: due rows in order, providers' deliveries before events.
            models.Index(
                fields=["seq"],
                name="inbound_pending_events_idx",
                condition=models.Q(status="pending", provider="event"),
            ),
            models.Index(
                fields=["seq"],
                name="inbound_pending_idx",
                condition=models.Q(status="pending") & ~models.Q(provider="event"),
            ),
            models.Index(
                fields=["provider", "-received_at"], name="inbound_provider_idx"
            ),
            models.Index(fields=["store_id", "-received_at"], name="inbound_store_idx"),
        ]
        verbose_name_plural = "inbound deliveries"

    def __str__(self):
        return f"{self.provider}:{self.delivery_id} ({self.status})"


class InboundKey(models.Model):
    """An id of something inside a delivery (Shopify's event id beside its webhook
    id, an email's Message-ID, one message of a WhatsApp batch), remembered when it
    is applied: the same event in another delivery is then a duplicate. Written in
    the applier's transaction, so it exists exactly when the effect does."""

    provider = models.CharField(max_length=64)
    key = models.CharField(max_length=255)
    # The delivery that applied it: replaying that delivery is not a duplicate.
    delivery = models.ForeignKey(
        InboundDelivery, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(db_default=Now())

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "key"], name="inbound_key_unique"
            )
        ]

    def __str__(self):
        return f"{self.provider}:{self.key}"


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
    html = models.TextField(
        blank=True,
        db_default="",
        default="",
        help_text="An email's HTML part, sent beside the text in `body`.",
    )
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
    digest_key = models.CharField(
        max_length=200,
        blank=True,
        db_default="",
        default="",
        help_text="Messages with one key close together become one (outbox.enqueue).",
    )
    # Set by the app that queues it, read by its channel's sender; null: plain text.
    template = models.JSONField(
        null=True,
        blank=True,
        help_text="A provider template to send instead of the text (WhatsApp's:"
        " name, language, parameters); `body` is its text as the customer reads it.",
    )
    # Set by the app that queues it, read by the email sender: files in the
    # default storage, each {"name": storage name, "filename", "content_type"}.
    attachments = models.JSONField(
        default=list,
        blank=True,
        db_default=[],
        help_text="Files an email carries: storage name, filename, content type.",
    )
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["digest_key", "-id"],
                name="outbox_digest_idx",
                condition=~models.Q(digest_key=""),
            ),
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
