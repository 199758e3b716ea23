"""Who has read what, and the staff's notifications of new customer messages."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.timezone import now

from messaging.models.conversations import Message, Thread


class ReadReceipt(models.Model):
    """Who read which message, when."""

    message = models.ForeignKey(
        Message, on_delete=models.PROTECT, related_name="receipts"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    read_at = models.DateTimeField(default=now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["message", "user"], name="read_receipt_unique"
            )
        ]

    def __str__(self):
        return f"{self.user} read #{self.message_id}"


class ThreadReadState(models.Model):
    """How far a user has read a thread: unread counts are the messages after it."""

    thread = models.ForeignKey(
        Thread, on_delete=models.CASCADE, related_name="read_states"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    last_read_id = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["thread", "user"], name="thread_read_state_unique"
            )
        ]

    def __str__(self):
        return f"{self.user} read {self.thread} up to #{self.last_read_id}"


class SupportNotification(models.Model):
    """A new customer message, for one staff member: the in-app list, the live
    toast and the email digest."""

    class Kind(models.TextChoices):
        MESSAGE = "message", "New customer message"
        REPLY_OVERDUE = "reply_overdue", "Reply overdue"
        RESOLUTION_OVERDUE = "resolution_overdue", "Resolution overdue"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    message = models.ForeignKey(
        Message, on_delete=models.PROTECT, related_name="notifications"
    )
    kind = models.CharField(
        max_length=24,
        choices=Kind.choices,
        default=Kind.MESSAGE,
        db_default=Kind.MESSAGE,
        help_text="An escalation names the customer message that waits.",
    )
    created_at = models.DateTimeField(default=now)
    seen_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "message", "kind"], name="support_notification_unique"
            )
        ]
        indexes = [
            models.Index(
                fields=["user", "-id"],
                name="notification_unseen_idx",
                condition=Q(seen_at=None),
            ),
            models.Index(
                fields=["created_at"],
                name="notification_digest_idx",
                condition=Q(emailed_at=None, seen_at=None),
            ),
        ]

    def __str__(self):
        return f"#{self.message_id} for {self.user}"
