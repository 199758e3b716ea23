"""An order's conversation: the thread, its messages (immutable), what was withdrawn
from them at a customer's erasure, and their attachments."""

import secrets

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.db.models import Case, Q, When
from django.db.models.functions import Now
from django.utils.timezone import now

from messaging.languages import CONFIGS as LANGUAGE_CONFIGS
from messaging.languages import DEFAULT as DEFAULT_LANGUAGE
from orders.models import Customer, Merchant, Order, Store
from performile.models import OutboxMessage

# Full-text search of messages (messaging.search): each message by the configuration
# of its language (messaging.languages), English by default.
SEARCH_CONFIG = LANGUAGE_CONFIGS[DEFAULT_LANGUAGE]
# What every display shows of a redacted message's text and sender (MessageRedaction).
REDACTED = "[removed at the customer's request]"


def new_thread_token() -> str:
    return secrets.token_hex(8)


class Thread(models.Model):
    """The conversation about one order, whatever channels it runs over."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    order = models.OneToOneField(Order, on_delete=models.PROTECT, related_name="thread")
    merchant = models.ForeignKey(Merchant, on_delete=models.PROTECT, related_name="+")
    store = models.ForeignKey(Store, on_delete=models.PROTECT, related_name="+")
    token = models.CharField(
        max_length=32,
        unique=True,
        default=new_thread_token,
        editable=False,
        help_text="Names the thread in our emails' Message-IDs; replies carry it back.",
    )
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.OPEN
    )
    created_at = models.DateTimeField(default=now)
    # Denormalized by messaging.services, for the inbox, unread counts and metrics.
    last_message_id = models.BigIntegerField(
        default=0, help_text="The newest message, internal notes included."
    )
    last_public_message_id = models.BigIntegerField(default=0)
    last_message_at = models.DateTimeField(null=True, blank=True)
    last_inbound_channel = models.CharField(max_length=16, blank=True)
    awaiting_reply_since = models.DateTimeField(
        null=True,
        blank=True,
        help_text="The oldest customer message nobody has answered yet.",
    )
    first_inbound_at = models.DateTimeField(null=True, blank=True)
    first_response_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="A person's first answer (not an automatic one).",
    )
    auto_answered_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="The last automatic answer to a customer's question.",
    )
    opened_at = models.DateTimeField(
        default=now,
        db_default=Now(),
        help_text="When it was started, or last reopened.",
    )
    sla_escalated_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When its overdue reply was last escalated (messaging.sla).",
    )
    resolution_escalated_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When its overdue resolution was last escalated (messaging.sla).",
    )
    snoozed_until = models.DateTimeField(
        null=True,
        blank=True,
        help_text="Out of the Inbox until then, or until the customer writes.",
    )
    labels = models.ManyToManyField(
        "messaging.Label", blank=True, related_name="threads"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        indexes = [
            models.Index(
                fields=["merchant", "-last_message_at"], name="thread_inbox_idx"
            ),
            models.Index(
                fields=["store", "-last_message_at"], name="thread_store_inbox_idx"
            ),
        ]

    def __str__(self):
        return f"Thread of {self.order}"

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN


class Message(models.Model):
    """One message, immutable: a PostgreSQL trigger refuses UPDATE and DELETE
    (migration 0002), except giving an unmatched message its thread once."""

    class Channel(models.TextChoices):
        IN_APP = "in_app", "In-app"
        EMAIL = "email", "Email"
        WHATSAPP = "whatsapp", "WhatsApp"
        SMS = "sms", "SMS"
        SYSTEM = "system", "System"

    class Direction(models.TextChoices):
        INBOUND = "inbound", "Inbound"
        OUTBOUND = "outbound", "Outbound"
        SYSTEM = "system", "System"

    class Visibility(models.TextChoices):
        PUBLIC = "public", "Public"
        INTERNAL = "internal", "Internal note"

    thread = models.ForeignKey(
        Thread,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="messages",
        help_text="Empty while the message is unmatched.",
    )
    merchant = models.ForeignKey(
        Merchant,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Whose unmatched inbox holds it; empty when even that is unknown.",
    )
    channel = models.CharField(max_length=16, choices=Channel.choices)
    direction = models.CharField(max_length=16, choices=Direction.choices)
    visibility = models.CharField(
        max_length=16, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    author_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    author_customer = models.ForeignKey(
        Customer,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    sender = models.CharField(
        max_length=320,
        blank=True,
        help_text="Where an inbound message came from: address, E.164 number.",
    )
    recipient = models.CharField(max_length=320, blank=True)
    subject = models.CharField(max_length=300, blank=True)
    body = models.TextField()
    provider_message_id = models.CharField(
        max_length=255,
        null=True,
        blank=True,
        unique=True,
        help_text="The provider's id (email Message-ID, wamid, Twilio sid).",
    )
    headers = models.JSONField(
        default=dict, blank=True, help_text="Email threading headers, as received."
    )
    delivery = models.OneToOneField(
        OutboxMessage,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="message",
        help_text="How an outbound message is going out (status beside the message).",
    )
    response_seconds = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="For a reply: how long the customer had waited for it.",
    )
    automatic = models.BooleanField(
        default=False,
        db_default=False,
        help_text="Written by the platform on its own: an automatic answer.",
    )
    created_at = models.DateTimeField(default=now)
    language = models.CharField(
        max_length=2,
        choices=[(code, code) for code in LANGUAGE_CONFIGS],
        default=DEFAULT_LANGUAGE,
        db_default=DEFAULT_LANGUAGE,
        help_text="What it is written in (messaging.languages): how it is searched.",
    )
    search = models.GeneratedField(
        expression=Case(
            *(
                When(language=code, then=SearchVector("subject", "body", config=name))
                for code, name in LANGUAGE_CONFIGS.items()
                if code != DEFAULT_LANGUAGE
            ),
            default=SearchVector("subject", "body", config=SEARCH_CONFIG),
        ),
        output_field=SearchVectorField(),
        db_persist=True,
    )

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(fields=["thread", "id"], name="message_thread_idx"),
            models.Index(
                fields=["merchant", "-id"],
                name="message_unmatched_idx",
                condition=Q(thread=None),
            ),
            models.Index(fields=["created_at"], name="message_created_idx"),
            GinIndex(fields=["search"], name="message_search_idx"),
        ]

    def __str__(self):
        return f"{self.get_channel_display()} {self.get_direction_display()} #{self.pk}"

    @property
    def is_internal(self) -> bool:
        return self.visibility == self.Visibility.INTERNAL

    @property
    def author_name(self) -> str:
        if self.author_user_id:
            user = self.author_user
            return user.get_full_name() or user.get_username()
        if self.direction == self.Direction.SYSTEM:
            return "System"
        if self.automatic:
            return "Automatic answer"
        if self.is_redacted:
            return REDACTED
        if self.author_customer_id:
            return self.author_customer.name or self.sender or "Customer"
        return self.sender or "Unknown sender"

    # What a display shows: the message as written, or REDACTED once a
    # MessageRedaction withdrew it. Every template, serializer and export reads
    # these, never the raw fields. Load many with select_related("redaction").
    @property
    def is_redacted(self) -> bool:
        try:
            return self.redaction is not None
        except ObjectDoesNotExist:
            return False

    @property
    def shown_body(self) -> str:
        return REDACTED if self.is_redacted else self.body

    @property
    def shown_subject(self) -> str:
        return "" if self.is_redacted else self.subject

    @property
    def shown_sender(self) -> str:
        return REDACTED if self.is_redacted and self.sender else self.sender

    @property
    def shown_recipient(self) -> str:
        return REDACTED if self.is_redacted and self.recipient else self.recipient

    @property
    def shown_attachments(self) -> list:
        """The attachments still shown (none of a redacted message: their files
        are gone)."""
        return [] if self.is_redacted else list(self.attachments.all())


class MessageRedaction(models.Model):
    """A message withdrawn from every display: its text, subject, sender and
    recipient read REDACTED, its attachments' files are deleted, and search no
    longer finds it (a customer's erasure, docs/privacy.md). The message row stays
    as it was written: messages are immutable, and this record is how the
    displays know."""

    message = models.OneToOneField(
        Message, on_delete=models.PROTECT, related_name="redaction"
    )
    redacted_at = models.DateTimeField(default=now)
    redacted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reason = models.CharField(max_length=200)

    def __str__(self):
        return f"#{self.message_id} redacted {self.redacted_at:%Y-%m-%d}"


def attachment_path(instance, filename):
    # 128 random bits: a stranger cannot guess a file's address in the storage.
    return f"messages/{instance.message_id}/{secrets.token_hex(16)}-{filename}"


class Attachment(models.Model):
    """A file that came with a message (an email attachment, a WhatsApp image).
    Immutable like its message, in the database itself (migration 0006), but
    for the blanking of a redacted message's file."""

    message = models.ForeignKey(
        Message, on_delete=models.PROTECT, related_name="attachments"
    )
    file = models.FileField(upload_to=attachment_path, max_length=300)
    filename = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return self.filename
