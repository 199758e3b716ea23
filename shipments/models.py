import uuid
from datetime import UTC

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.timezone import now

from orders.models import Merchant, Order
from orders.tracking import TrackingStatus
from shipments.couriers import CHOICES as COURIER_CHOICES
from shipments.couriers.base import AccountSettings, ServiceType


class CourierAccount(models.Model):
    """A merchant's account with a courier: where and how to call it."""

    merchant = models.ForeignKey(
        Merchant, on_delete=models.CASCADE, related_name="courier_accounts"
    )
    courier = models.CharField(
        max_length=64,
        help_text="Adapter code: "
        + ", ".join(code for code, _ in COURIER_CHOICES)
        + ", or karrio:<carrier>.",
    )
    name = models.CharField(
        max_length=100, help_text="Shown to staff, e.g. 'PostNord'."
    )
    base_url = models.URLField(max_length=300)
    api_key = models.CharField(max_length=255, blank=True)
    api_secret = models.CharField(max_length=255, blank=True)
    customer_number = models.CharField(max_length=64, blank=True)
    webhook_key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    webhook_secret = models.CharField(max_length=255, blank=True)
    extra = models.JSONField(
        default=dict,
        blank=True,
        help_text='Per-adapter settings (docs/couriers.md). {"track_any": true} makes '
        "this account the catch-all tracker of numbers no other account's courier "
        "carries.",
    )
    enabled = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=now)

    class Meta:
        ordering = ["merchant__name", "name"]

    def __str__(self):
        return f"{self.name} ({self.merchant})"

    def settings(self) -> AccountSettings:
        return AccountSettings(
            base_url=self.base_url.rstrip("/"),
            api_key=self.api_key,
            api_secret=self.api_secret,
            customer_number=self.customer_number,
            webhook_secret=self.webhook_secret,
            webhook_url=settings.PUBLIC_BASE_URL.rstrip("/")
            + reverse("webhook-courier", args=[self.courier, self.webhook_key]),
            extra=self.extra,
        )


class Shipment(models.Model):
    """A parcel we follow: booked here (label, price, addresses), or tracked only
    (a number that came from a webshop or a person; docs/shipments.md)."""

    class Kind(models.TextChoices):
        BOOKED = "booked", "Booked here"
        TRACKED = "tracked", "Tracked only"

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="shipments")
    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, editable=False)
    account = models.ForeignKey(
        CourierAccount, on_delete=models.PROTECT, related_name="shipments"
    )
    kind = models.CharField(
        max_length=10, choices=Kind.choices, default=Kind.BOOKED, db_default=Kind.BOOKED
    )
    # Booking-only fields are blank on a tracked-only shipment.
    service_code = models.CharField(max_length=64, blank=True)
    service_type = models.CharField(
        max_length=20, choices=ServiceType.CHOICES, blank=True
    )
    tracking_number = models.CharField(max_length=64)
    courier_reference = models.CharField(max_length=128, blank=True)
    label = models.FileField(upload_to="labels/%Y/%m/", blank=True)
    price = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    currency = models.CharField(max_length=3, blank=True)
    sender = models.JSONField(default=dict)
    recipient = models.JSONField(default=dict)
    parcels = models.JSONField(default=list)
    status = models.CharField(
        max_length=24,
        choices=TrackingStatus.choices,
        default=TrackingStatus.INFO_RECEIVED,
    )
    raw_status = models.CharField(max_length=100, blank=True)
    estimated_delivery = models.DateField(null=True, blank=True)
    promised_delivery = models.DateField(
        null=True,
        blank=True,
        help_text="The first ETA the courier gave (on-time basis).",
    )
    last_event_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    next_poll_at = models.DateTimeField(null=True, blank=True)
    poll_failures = models.PositiveIntegerField(default=0)
    stuck = models.BooleanField(default=False)
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(default=now)
    updated_at = models.DateTimeField(default=now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["account", "tracking_number"], name="shipment_tracking_unique"
            ),
        ]
        indexes = [
            # The poller's queue: due shipments first.
            models.Index(
                fields=["next_poll_at"],
                name="shipment_due_idx",
                condition=models.Q(next_poll_at__isnull=False),
            ),
            models.Index(fields=["merchant", "-id"], name="shipment_merchant_idx"),
            # The home dashboard: parcels still on their way (a small share), and
            # those delivered on a day.
            models.Index(
                fields=["merchant"],
                condition=~models.Q(status="delivered"),
                name="shipment_on_its_way_idx",
            ),
            models.Index(
                fields=["merchant", "delivered_at"],
                condition=models.Q(kind="booked", delivered_at__isnull=False),
                name="shipment_delivered_idx",
            ),
        ]

    def __str__(self):
        return f"{self.account.name} {self.tracking_number}"

    @property
    def punctuality(self) -> str:
        """early, on_time or delayed against the first promised delivery date ("" until
        delivered, or without a promise). Dates are UTC dates."""
        if not (self.delivered_at and self.promised_delivery):
            return ""
        delivered_on = self.delivered_at.astimezone(UTC).date()
        if delivered_on < self.promised_delivery:
            return "early"
        return "on_time" if delivered_on == self.promised_delivery else "delayed"

    @property
    def delivery_time_hours(self) -> float | None:
        if not self.delivered_at:
            return None
        return round((self.delivered_at - self.created_at).total_seconds() / 3600, 1)


class TrackingEvent(models.Model):
    """One event of a parcel; the same event from a webhook and a poll is one row."""

    class Source(models.TextChoices):
        WEBHOOK = "webhook", "Webhook"
        POLL = "poll", "Poll"
        BOOKING = "booking", "Booking"

    shipment = models.ForeignKey(
        Shipment, on_delete=models.CASCADE, related_name="events"
    )
    status = models.CharField(max_length=24, choices=TrackingStatus.choices)
    raw_code = models.CharField(max_length=100)
    occurred_at = models.DateTimeField()
    description = models.CharField(max_length=500, blank=True)
    location = models.CharField(max_length=200, blank=True)
    source = models.CharField(max_length=10, choices=Source.choices)
    received_at = models.DateTimeField(default=now)

    class Meta:
        ordering = ["occurred_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["shipment", "raw_code", "occurred_at"],
                name="tracking_event_unique",
            ),
        ]

    def __str__(self):
        return f"{self.shipment} {self.status} {self.occurred_at:%Y-%m-%d %H:%M}"


class PendingTrackingUpdate(models.Model):
    """Courier news of a number we do not track yet, kept until a shipment for it
    appears (then applied and deleted) or it is too old (purged)."""

    account = models.ForeignKey(
        CourierAccount, on_delete=models.CASCADE, related_name="+"
    )
    tracking_number = models.CharField(max_length=64)
    # The normalized update (shipments.couriers.base.TrackingUpdate as JSON).
    update = models.JSONField()
    received_at = models.DateTimeField(default=now)

    class Meta:
        indexes = [
            models.Index(
                fields=["account", "tracking_number"], name="pending_tracking_idx"
            ),
            models.Index(fields=["received_at"], name="pending_tracking_age_idx"),
        ]

    def __str__(self):
        return f"{self.tracking_number} ({self.received_at:%Y-%m-%d %H:%M})"


class Claim(models.Model):
    """A claim against the courier for an exception, a loss or damage."""

    class Reason(models.TextChoices):
        EXCEPTION = "exception", "Delivery exception"
        LOSS = "loss", "Lost parcel"
        DAMAGE = "damage", "Damaged parcel"

    class Status(models.TextChoices):
        FILED = "filed", "Filed"
        IN_REVIEW = "in_review", "In review"
        APPROVED = "approved", "Approved"
        PARTLY_APPROVED = "partly_approved", "Partly approved"
        REJECTED = "rejected", "Rejected"
        PAID = "paid", "Paid"

    TRANSITIONS = {
        Status.FILED: (Status.IN_REVIEW, Status.REJECTED),
        Status.IN_REVIEW: (Status.APPROVED, Status.PARTLY_APPROVED, Status.REJECTED),
        Status.APPROVED: (Status.PAID,),
        Status.PARTLY_APPROVED: (Status.PAID,),
        Status.REJECTED: (),
        Status.PAID: (),
    }

    shipment = models.ForeignKey(
        Shipment, on_delete=models.CASCADE, related_name="claims"
    )
    reason = models.CharField(max_length=20, choices=Reason.choices)
    description = models.TextField()
    amount = models.DecimalField(max_digits=10, decimal_places=2)
    currency = models.CharField(max_length=3)
    approved_amount = models.DecimalField(
        max_digits=10, decimal_places=2, null=True, blank=True
    )
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.FILED, editable=False
    )
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=now)
    updated_at = models.DateTimeField(default=now)

    class Meta:
        ordering = ["-id"]

    def __str__(self):
        return f"Claim {self.pk} ({self.get_reason_display()})"

    def can_transition_to(self, status: str) -> bool:
        return status in self.TRANSITIONS[self.status]


class ClaimPhoto(models.Model):
    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="photos")
    image = models.FileField(upload_to="claims/%Y/%m/")
    uploaded_at = models.DateTimeField(default=now)

    def __str__(self):
        return self.image.name


class BulkBooking(models.Model):
    """Many orders booked with one courier service, by a Celery task, with progress
    recorded per order, so a job whose worker died is resumed where it stopped
    (shipments.bulk)."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"

    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="+")
    account = models.ForeignKey(
        CourierAccount, on_delete=models.CASCADE, related_name="+"
    )
    service_code = models.CharField(max_length=64)
    service_type = models.CharField(max_length=20, choices=ServiceType.CHOICES)
    order_ids = models.JSONField(default=list)
    booked = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    booked_order_ids = models.JSONField(default=list, blank=True)
    errors = models.JSONField(default=dict, blank=True, help_text="order id -> message")
    # Only the runner holding the lease records progress; the sweep gives a job
    # whose heartbeat stopped to a new runner with a new lease.
    lease = models.CharField(max_length=32, blank=True)
    heartbeat_at = models.DateTimeField(default=now)
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["heartbeat_at"],
                condition=~models.Q(status="done"),
                name="bulkbooking_unfinished",
            )
        ]

    def __str__(self):
        return f"Bulk booking {self.pk} ({self.booked + self.failed}/{self.total})"

    @property
    def total(self) -> int:
        return len(self.order_ids)


class UnconfirmedBooking(models.Model):
    """A booking the courier did not answer: it may exist at the courier. The
    reconciliation looks it up by our idempotency key and attaches it to the order
    or cancels it (shipments.reconcile)."""

    class Outcome(models.TextChoices):
        PENDING = "", "Checking with the courier"
        ATTACHED = "attached", "Attached to the order"
        CANCELLED = "cancelled", "Cancelled at the courier"
        NOT_BOOKED = "not_booked", "Not booked"
        UNRESOLVED = "unresolved", "Needs a person"

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="+")
    account = models.ForeignKey(
        CourierAccount, on_delete=models.CASCADE, related_name="+"
    )
    idempotency_key = models.CharField(max_length=255)
    service_code = models.CharField(max_length=64)
    service_type = models.CharField(max_length=20, choices=ServiceType.CHOICES)
    sender = models.JSONField(default=dict)
    recipient = models.JSONField(default=dict)
    parcels = models.JSONField(default=list)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=now)
    checks = models.PositiveSmallIntegerField(default=0)
    next_check_at = models.DateTimeField(default=now)
    outcome = models.CharField(
        max_length=10, choices=Outcome.choices, default=Outcome.PENDING, blank=True
    )
    note = models.TextField(blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["next_check_at"],
                condition=models.Q(outcome=""),
                name="unconfirmed_booking_due",
            )
        ]

    def __str__(self):
        return f"Unconfirmed booking of order {self.order_id} ({self.outcome or 'pending'})"
