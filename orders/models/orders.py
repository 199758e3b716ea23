"""Orders, their lines and their events (the audit trail and the timeline)."""

from decimal import Decimal

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.db import models
from django.db.models import Q
from django.db.models.functions import Upper
from django.urls import reverse
from django.utils.timezone import now

from orders import state_machine, tracking
from orders.models.customers import Customer
from orders.models.merchants import Merchant, Source, Store
from orders.state_machine import OrderStatus
from orders.tracking import TrackingStatus


class CurrentTransactionId(models.Func):
    """PostgreSQL's id of the running transaction (pg_current_xact_id)."""

    template = "(pg_current_xact_id()::text::bigint)"
    output_field = models.BigIntegerField()


class OrderQuerySet(models.QuerySet):
    """Query forms of the computed flags on Order; keep the two in step."""

    def not_deleted(self):
        """Not deleted (orders are deleted softly, for the audit trail)."""
        return self.filter(deleted_at=None)

    def with_tracking(self, value: bool = True):
        return (
            self.exclude(tracking_number="")
            if value
            else self.filter(tracking_number="")
        )

    def needing_action(self, value: bool = True):
        bookable = Q(tracking_number="", service="") & Q(
            status__in=state_machine.BOOKABLE - {OrderStatus.DRAFT}
        )
        rule = Q(tracking_status__in=tracking.TROUBLE) | bookable | ~Q(review_reason="")
        return self.filter(rule) if value else self.exclude(rule)


class Order(models.Model):
    Status = OrderStatus

    merchant = models.ForeignKey(
        Merchant, on_delete=models.CASCADE, related_name="orders", editable=False
    )
    store = models.ForeignKey(Store, on_delete=models.PROTECT, related_name="orders")
    order_number = models.CharField(max_length=64)
    source = models.CharField(
        max_length=20, choices=Source.choices, default=Source.MANUAL
    )
    external_id = models.CharField(
        max_length=64, blank=True, help_text="The webshop's own id for the order."
    )
    external_updated_at = models.DateTimeField(null=True, blank=True)
    customer = models.ForeignKey(
        Customer,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="orders",
    )
    status = models.CharField(
        max_length=20,
        choices=OrderStatus.choices,
        default=OrderStatus.PENDING,
        editable=False,
    )
    service = models.CharField(max_length=200, blank=True)
    payment_method = models.CharField(max_length=50, blank=True)
    amount = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0"))
    currency = models.CharField(max_length=3, default="EUR")
    tax_amount = models.DecimalField(
        max_digits=12,
        decimal_places=2,
        default=Decimal("0"),
        db_default=Decimal("0"),
        help_text="The tax in the amount (or added to it), as the shop computed it.",
    )
    taxes_included = models.BooleanField(
        null=True,
        blank=True,
        help_text="Whether the lines' prices include tax (unknown: the merchant's"
        " billing profile decides).",
    )
    shipping_method = models.CharField(max_length=200, blank=True, db_default="")
    notes = models.TextField(blank=True)
    review_reason = models.CharField(
        max_length=300,
        blank=True,
        db_default="",
        help_text="Why a person should look at this order (e.g. its number was"
        " already taken).",
    )
    assigned_staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_orders",
    )
    supplier = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="supplied_orders",
    )
    delivery_address = models.JSONField(default=dict, blank=True)
    package = models.JSONField(default=dict, blank=True)
    tracking_number = models.CharField(max_length=64, blank=True)
    courier = models.CharField(max_length=64, blank=True)
    tracking_url = models.URLField(max_length=500, blank=True)
    tracking_status = models.CharField(
        max_length=24,
        choices=TrackingStatus.choices,
        blank=True,
        help_text="The parcel's latest normalized status.",
    )
    estimated_delivery = models.DateField(null=True, blank=True)
    tracking_event = models.CharField(
        max_length=300, blank=True, help_text="The parcel's latest scan, as shown."
    )
    tracking_event_at = models.DateTimeField(null=True, blank=True)
    label_url = models.CharField(
        max_length=200, blank=True, help_text="Where the booked label downloads."
    )
    placed_at = models.DateTimeField(default=now)
    created_at = models.DateTimeField(default=now)
    updated_at = models.DateTimeField(default=now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    deleted_at = models.DateTimeField(null=True, blank=True, editable=False)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )

    objects = OrderQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["store", "order_number"], name="order_number_unique_per_store"
            ),
            # A webshop order is identified by its source's id, never its number.
            models.UniqueConstraint(
                fields=["store", "source", "external_id"],
                condition=~Q(external_id=""),
                name="order_external_unique",
            ),
        ]
        indexes = [
            models.Index(fields=["merchant", "-id"], name="order_merchant_idx"),
            models.Index(fields=["store", "-id"], name="order_store_idx"),
            models.Index(fields=["merchant", "status", "-id"], name="order_status_idx"),
            models.Index(fields=["supplier", "-id"], name="order_supplier_idx"),
            # The few deleted orders: the rows of other apps that belong to an order
            # leave them out (orders.access.order_rows_reached).
            models.Index(
                fields=["merchant"],
                condition=Q(deleted_at__isnull=False),
                name="order_deleted_idx",
            ),
            # The home dashboard: orders and revenue per day, without the table.
            models.Index(
                fields=["merchant", "placed_at"],
                include=["currency", "amount", "status"],
                condition=Q(deleted_at__isnull=True),
                name="order_placed_idx",
            ),
            # The Orders view sorted by total or by number.
            models.Index(
                fields=["merchant", "amount"],
                condition=Q(deleted_at__isnull=True),
                name="order_total_idx",
            ),
            models.Index(
                fields=["merchant", "order_number"],
                condition=Q(deleted_at__isnull=True),
                name="order_number_sort_idx",
            ),
            # Orders in trouble or to check (the Orders view's reasons, beside the
            # open statuses of order_status_idx).
            models.Index(
                fields=["merchant"],
                condition=Q(tracking_status__in=sorted(tracking.TROUBLE))
                | ~Q(review_reason=""),
                name="order_attention_idx",
            ),
            GinIndex(
                fields=["order_number"],
                opclasses=["gin_trgm_ops"],
                name="order_number_trgm",
            ),
            # /listorders' service substring (icontains: UPPER(service) LIKE ...).
            GinIndex(
                OpClass(Upper("service"), name="gin_trgm_ops"),
                name="order_service_trgm",
            ),
        ]

    def __str__(self):
        return self.order_number

    def get_absolute_url(self):
        return reverse("orders:detail", args=[self.pk])

    def can_transition_to(self, status: str) -> bool:
        return state_machine.can_transition(self.status, status)

    @property
    def allowed_statuses(self) -> tuple[str, ...]:
        return state_machine.TRANSITIONS[self.status]

    # Computed flags shared by the UI, the API and live updates.
    FLAGS = (
        "has_tracking",
        "can_book_shipment",
        "can_track",
        "has_label",
        "can_file_claim",
        "is_active",
        "needs_action",
    )

    def flags(self) -> dict[str, bool]:
        return {name: getattr(self, name) for name in self.FLAGS}

    @property
    def has_tracking(self) -> bool:
        return bool(self.tracking_number)

    @property
    def is_service(self) -> bool:
        return bool(self.service)

    @property
    def can_book_shipment(self) -> bool:
        return (
            not self.has_tracking
            and not self.is_service
            and self.status in state_machine.BOOKABLE
        )

    @property
    def can_track(self) -> bool:
        return self.has_tracking

    @property
    def has_label(self) -> bool:
        return bool(self.label_url)

    @property
    def delivery_progress(self) -> int:
        """How far the parcel has come, 0 to 4: booked, in transit, out for
        delivery (or at the pickup point), delivered."""
        return tracking.PROGRESS.get(self.tracking_status, 0)

    @property
    def can_file_claim(self) -> bool:
        """A parcel in trouble (exception, loss) or delivered (damage)."""
        return self.has_tracking and self.tracking_status in (
            tracking.TROUBLE | {TrackingStatus.DELIVERED}
        )

    @property
    def is_active(self) -> bool:
        """The parcel is on its way (live tracking matters)."""
        if self.tracking_status:
            return self.tracking_status in tracking.MOVING
        return self.status == OrderStatus.SHIPPED

    @property
    def needs_action(self) -> bool:
        """No tracking on an order that should ship, a parcel in trouble, or a flag
        for staff (review_reason)."""
        if self.tracking_status in tracking.TROUBLE or self.review_reason:
            return True
        return self.can_book_shipment and self.status != OrderStatus.DRAFT

    @property
    def badge(self) -> tuple[str, str]:
        """(label, tone) of the status badge: a tone per status (STATUS_TONES, the
        palette in docs/orders-view.md), red for a parcel in trouble, and the
        parcel's own status while it moves or once it arrived."""
        if self.tracking_status in tracking.TROUBLE:
            return TrackingStatus(self.tracking_status).label, "red"
        if self.status in (OrderStatus.DELIVERED, OrderStatus.COMPLETE):
            return self.get_status_display(), STATUS_TONES[self.status]
        if self.tracking_status == TrackingStatus.DELIVERED:
            return "Delivered", "green"
        if self.tracking_status in tracking.MOVING:
            return TrackingStatus(self.tracking_status).label, "blue"
        return self.get_status_display(), STATUS_TONES.get(self.status, "grey")


# One tone per status, each a --<tone>-bg / --<tone>-fg pair in static/css/app.css
# (contrast checked by tests/orders/test_table.py).
STATUS_TONES = {
    OrderStatus.DRAFT: "slate",
    OrderStatus.PENDING: "orange",
    OrderStatus.PAYMENT_VERIFIED: "cyan",
    OrderStatus.CONFIRMED: "indigo",
    OrderStatus.IN_PROGRESS: "violet",
    OrderStatus.IN_REVIEW: "pink",
    OrderStatus.SHIPPED: "blue",
    OrderStatus.DELIVERED: "green",
    OrderStatus.COMPLETE: "teal",
    OrderStatus.ON_HOLD: "yellow",
    OrderStatus.CANCELLED: "grey",
}


class OrderLine(models.Model):
    class Kind(models.TextChoices):
        ITEM = "item", "Item"
        SHIPPING = "shipping", "Shipping"
        DISCOUNT = "discount", "Discount"
        FEE = "fee", "Fee"

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    kind = models.CharField(
        max_length=10, choices=Kind.choices, default=Kind.ITEM, db_default=Kind.ITEM
    )
    sku = models.CharField(max_length=100, blank=True)
    title = models.CharField(max_length=300)
    quantity = models.PositiveIntegerField(default=1)
    unit_price = models.DecimalField(
        max_digits=12, decimal_places=2, default=Decimal("0")
    )
    tax_rate = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="Percent, as the shop sent it (empty: the billing profile's).",
    )

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return f"{self.quantity} × {self.title}"

    @property
    def total(self) -> Decimal:
        return self.unit_price * self.quantity


class TimelineEvents(models.Manager):
    """The order's timeline and audit trail: every event but the conversation's
    marks, which only the change feed reads (OrderEvent.feed_events)."""

    def get_queryset(self):
        return super().get_queryset().exclude(kind=OrderEvent.Kind.CONVERSATION)


class OrderEvent(models.Model):
    """The order's audit trail and timeline. Written only by orders.services.

    A CONVERSATION event marks a change of the order's conversation (a message, a
    reply, the thread closed) in the change feed, so clients that were offline
    catch up; `data["change"]` is the change's live kind. Timelines never show
    them: `objects` (and `order.events`) leave them out, `feed_events` has all."""

    class Kind(models.TextChoices):
        CREATED = "created", "Created"
        STATUS_CHANGED = "status_changed", "Status changed"
        UPDATED = "updated", "Updated"
        ASSIGNED = "assigned", "Assigned"
        TRACKING = "tracking", "Tracking"
        NOTE = "note", "Note"
        DELETED = "deleted", "Deleted"
        CONVERSATION = "conversation", "Conversation"

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    from_status = models.CharField(
        max_length=20, choices=OrderStatus.choices, blank=True
    )
    to_status = models.CharField(max_length=20, choices=OrderStatus.choices, blank=True)
    note = models.TextField(blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_label = models.CharField(
        max_length=200,
        blank=True,
        help_text="Who acted when it was not a user: 'Shopify', 'Discord user 123', ...",
    )
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=now)
    txid = models.BigIntegerField(
        db_default=CurrentTransactionId(),
        editable=False,
        help_text="The writing transaction; the change feed's cursor (orders.feed).",
    )

    feed_events = models.Manager()
    objects = TimelineEvents()

    class Meta:
        ordering = ["created_at", "id"]
        default_manager_name = "objects"
        base_manager_name = "feed_events"
        indexes = [
            models.Index(fields=["order", "created_at"], name="orderevent_order_idx"),
            models.Index(fields=["txid", "id"], name="orderevent_feed_idx"),
        ]

    def __str__(self):
        return (
            f"{self.order} {self.get_kind_display()} {self.created_at:%Y-%m-%d %H:%M}"
        )

    @property
    def feed_kind(self) -> str:
        """What the change feed calls it: a conversation's change by its own name."""
        if self.kind == self.Kind.CONVERSATION:
            return self.data.get("change", self.kind)
        return self.kind

    @property
    def actor_name(self) -> str:
        if self.actor_id:
            return self.actor.get_full_name() or self.actor.get_username()
        return self.actor_label or "System"
