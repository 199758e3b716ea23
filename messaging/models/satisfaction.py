"""The question "How did we do?" asked of a customer once their conversation is
closed or their order delivered, and their answer (docs/csat.md)."""

import secrets

from django.db import models
from django.db.models import Q
from django.utils.timezone import now

from orders.models import Customer, Merchant, Order, Store


def new_survey_nonce() -> str:
    return secrets.token_urlsafe(12)


class SatisfactionSurvey(models.Model):
    """One question to one customer about one order: scheduled, then sent (or
    dropped when it no longer applies at its time), then maybe answered."""

    class Trigger(models.TextChoices):
        CLOSED = "closed", "Conversation closed"
        DELIVERED = "delivered", "Order delivered"

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        SENT = "sent", "Sent"
        DROPPED = "dropped", "Dropped"

    class Via(models.TextChoices):
        LINK = "link", "Link"
        SMS = "sms", "SMS reply"
        WHATSAPP = "whatsapp", "WhatsApp reply"

    order = models.ForeignKey(
        Order, on_delete=models.CASCADE, related_name="satisfaction_surveys"
    )
    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="+")
    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="+")
    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="satisfaction_surveys"
    )
    trigger = models.CharField(max_length=16, choices=Trigger.choices)
    status = models.CharField(
        max_length=16,
        choices=Status.choices,
        default=Status.SCHEDULED,
        db_default=Status.SCHEDULED,
    )
    created_at = models.DateTimeField(default=now)
    due_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    # The outbox channels the question went on ("email", "sms", ...).
    channels = models.JSONField(default=list, db_default=[], blank=True)
    dropped_reason = models.CharField(max_length=200, blank=True, db_default="")
    # Part of the link's signed token: a link names this one survey only.
    nonce = models.CharField(max_length=32, default=new_survey_nonce)
    rating = models.PositiveSmallIntegerField(null=True, blank=True)
    comment = models.TextField(blank=True, db_default="")
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_via = models.CharField(
        max_length=16, choices=Via.choices, blank=True, db_default=""
    )

    class Meta:
        indexes = [
            models.Index(
                fields=["due_at"],
                condition=Q(status="scheduled"),
                name="survey_scheduled_due",
            ),
            models.Index(fields=["customer", "sent_at"], name="survey_customer_sent"),
            models.Index(fields=["order", "created_at"], name="survey_order_created"),
            models.Index(fields=["store", "sent_at"], name="survey_store_sent"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["order"],
                condition=Q(status="scheduled"),
                name="survey_one_scheduled_per_order",
            ),
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5),
                name="survey_rating_1_to_5",
            ),
            models.CheckConstraint(
                condition=Q(rating__isnull=True, answered_at__isnull=True)
                | Q(rating__isnull=False, answered_at__isnull=False),
                name="survey_answered_with_rating",
            ),
        ]

    def __str__(self):
        return f"Satisfaction survey of order {self.order_id}"

    @property
    def is_answered(self) -> bool:
        return self.rating is not None
