import re
import secrets
import uuid
from decimal import Decimal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.functions import Upper
from django.urls import reverse
from django.utils.timezone import now

from orders import state_machine, tracking
from orders.state_machine import OrderStatus
from orders.tracking import TrackingStatus


class CurrentTransactionId(models.Func):
    """PostgreSQL's id of the running transaction (pg_current_xact_id)."""

    template = "(pg_current_xact_id()::text::bigint)"
    output_field = models.BigIntegerField()


class Source(models.TextChoices):
    SHOPIFY = "shopify", "Shopify"
    WOOCOMMERCE = "woocommerce", "WooCommerce"
    API = "api", "API"
    MANUAL = "manual", "Manual"
    DISCORD = "discord", "Discord"


class Merchant(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(unique=True)
    timezone = models.CharField(max_length=64, default="Europe/Stockholm")
    default_currency = models.CharField(max_length=3, default="EUR")
    created_at = models.DateTimeField(default=now)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def zone(self) -> ZoneInfo:
        """The time zone the merchant's times are shown and typed in; UTC when
        `timezone` names none (a mistyped zone must not break a page or a job)."""
        try:
            return ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            return ZoneInfo("UTC")


def validate_regex(value: str) -> None:
    try:
        re.compile(value)
    except re.error as exc:
        raise ValidationError(f"Not a regular expression: {exc}.") from exc


class Store(models.Model):
    merchant = models.ForeignKey(
        Merchant, on_delete=models.CASCADE, related_name="stores"
    )
    name = models.CharField(max_length=200)
    platform = models.CharField(
        max_length=20, choices=Source.choices, default=Source.MANUAL
    )
    domain = models.CharField(
        max_length=255,
        blank=True,
        help_text="The shop's domain (nordic.myshopify.com) or site URL: catching up"
        " calls its API there.",
    )
    webhook_key = models.UUIDField(
        default=uuid.uuid4,
        unique=True,
        editable=False,
        help_text="Public part of this store's webhook URLs.",
    )
    webhook_secret = models.CharField(
        max_length=255,
        blank=True,
        help_text="Shared secret that signs this store's webhooks.",
    )
    previous_webhook_secret = models.CharField(
        max_length=255, blank=True, editable=False
    )
    webhook_secret_rotated_at = models.DateTimeField(
        null=True, blank=True, editable=False
    )
    api_token = models.CharField(
        max_length=255,
        blank=True,
        db_default="",
        help_text="Catching up from the shop's API: Shopify's Admin API access token,"
        " or WooCommerce's REST consumer key.",
    )
    api_secret = models.CharField(
        max_length=255,
        blank=True,
        db_default="",
        help_text="WooCommerce's REST consumer secret.",
    )
    reconcile_every_minutes = models.PositiveIntegerField(
        default=0,
        db_default=0,
        help_text="Fetch orders changed since the last catch-up from the shop's API"
        " this often (0: never on a schedule).",
    )
    reconciled_at = models.DateTimeField(null=True, blank=True, editable=False)
    currency = models.CharField(max_length=3, default="EUR")
    pickup_address = models.JSONField(default=dict, blank=True)
    last_order_number = models.PositiveBigIntegerField(
        default=1000,
        db_default=1000,
        editable=False,
        help_text="The store's order number sequence: orders created without a"
        " number get the next one (orders.numbering).",
    )
    order_number_pattern = models.CharField(
        max_length=200,
        blank=True,
        validators=[validate_regex],
        help_text="A regular expression for this store's order numbers in customer"
        " messages, e.g. ORD-\\d{5}. Empty: a # or a short prefix and digits.",
    )
    support_email = models.EmailField(
        blank=True,
        help_text="Customers' replies reach this address; emails to it are this"
        " store's.",
    )
    sms_number = models.CharField(
        max_length=20, blank=True, help_text="The store's SMS number (E.164)."
    )
    whatsapp_phone_number_id = models.CharField(
        max_length=64,
        blank=True,
        help_text="The WhatsApp Cloud API phone number id of the store's number.",
    )
    created_at = models.DateTimeField(default=now)

    class Meta:
        ordering = ["merchant__name", "name"]

    def __str__(self):
        return self.name


class Customer(models.Model):
    """A merchant's customer. Who an order belongs to follows the rules in
    docs/customers.md (orders.customers)."""

    merchant = models.ForeignKey(
        Merchant, on_delete=models.CASCADE, related_name="customers"
    )
    customer_number = models.CharField(max_length=20, unique=True)
    name = models.CharField(max_length=200, blank=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(
        max_length=20, blank=True, help_text="E.164, e.g. +46701234567"
    )
    discord_user_id = models.CharField(max_length=32, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="customer",
        help_text="Portal sign-in.",
    )
    created_at = models.DateTimeField(default=now)
    erased_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="When the customer's personal data was erased (docs/privacy.md):"
        " the record stays, pseudonymised, and no order or message matches it.",
    )

    class Meta:
        constraints = [
            # One customer per email per merchant: concurrent first orders of a new
            # customer insert with ON CONFLICT DO NOTHING and find the one row.
            models.UniqueConstraint(
                Upper("email"),
                "merchant",
                condition=~Q(email=""),
                name="customer_email_unique",
            ),
            # And one customer without an email per phone.
            models.UniqueConstraint(
                "merchant",
                "phone",
                condition=Q(email="") & ~Q(phone=""),
                name="customer_phone_unique",
            ),
            models.UniqueConstraint(
                "merchant",
                "discord_user_id",
                condition=~Q(discord_user_id=""),
                name="customer_discord_unique",
            ),
        ]
        indexes = [
            models.Index(Upper("email"), "merchant", name="customer_email_idx"),
            models.Index(fields=["merchant", "phone"], name="customer_phone_idx"),
            GinIndex(
                fields=["name"], opclasses=["gin_trgm_ops"], name="customer_name_trgm"
            ),
            GinIndex(
                fields=["email"], opclasses=["gin_trgm_ops"], name="customer_email_trgm"
            ),
        ]

    def __str__(self):
        return f"{self.name or self.email or self.phone} ({self.customer_number})"

    @property
    def is_erased(self) -> bool:
        return self.erased_at is not None

    @staticmethod
    def new_customer_number() -> str:
        return f"C{secrets.randbelow(10**8):08d}"


class Membership(models.Model):
    class Role(models.TextChoices):
        ADMIN = "admin", "Admin"
        STAFF = "staff", "Staff"
        RESELLER = "reseller", "Reseller"
        SUPPLIER = "supplier", "Supplier"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    merchant = models.ForeignKey(
        Merchant, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=16, choices=Role.choices)
    stores = models.ManyToManyField(
        Store,
        blank=True,
        related_name="reseller_memberships",
        help_text="For resellers: the stores they own.",
    )
    discord_user_id = models.CharField(
        max_length=32,
        blank=True,
        help_text="The member's Discord user id: Discord commands they run act as"
        " them, and /updateorder can assign orders to them.",
    )
    created_at = models.DateTimeField(default=now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "merchant"], name="membership_unique"
            )
        ]

    def __str__(self):
        return f"{self.user} — {self.get_role_display()} of {self.merchant}"

    @property
    def is_team(self) -> bool:
        return self.role in (self.Role.ADMIN, self.Role.STAFF)


class DiscordGuild(models.Model):
    """A Discord server (guild) whose order desk is one of our stores: its slash
    commands (orders.discord) read and write that store's orders."""

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="guilds")
    guild_id = models.CharField("Guild id", max_length=32, unique=True)
    name = models.CharField(max_length=100, blank=True)
    application_id = models.CharField(max_length=32, db_index=True)
    public_key = models.CharField(
        max_length=64,
        help_text="The application's public key (hex), from Discord's developer"
        " portal: every interaction is verified with it.",
    )
    bot_token = models.CharField(
        max_length=200, help_text="The bot's token, for DMs and roles."
    )
    purchased_role_id = models.CharField(
        max_length=32,
        blank=True,
        help_text="Given to a customer when their order reaches Complete (optional).",
    )
    created_at = models.DateTimeField(default=now)

    class Meta:
        verbose_name = "Discord server"

    def __str__(self):
        return f"{self.name or self.guild_id} → {self.store}"


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
        """(label, tone) of the status badge, tone one of green, blue, orange, red,
        violet, grey."""
        if self.tracking_status in tracking.TROUBLE:
            return TrackingStatus(self.tracking_status).label, "red"
        if self.status in (OrderStatus.DELIVERED, OrderStatus.COMPLETE):
            return self.get_status_display(), "green"
        if self.tracking_status == TrackingStatus.DELIVERED:
            return "Delivered", "green"
        if self.tracking_status in tracking.MOVING:
            return TrackingStatus(self.tracking_status).label, "blue"
        tone = {
            OrderStatus.SHIPPED: "blue",
            OrderStatus.IN_PROGRESS: "violet",
            OrderStatus.IN_REVIEW: "violet",
            OrderStatus.ON_HOLD: "red",
            OrderStatus.CANCELLED: "grey",
            OrderStatus.DRAFT: "grey",
        }.get(self.status, "orange")
        return self.get_status_display(), tone


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


class OrderEvent(models.Model):
    """The order's audit trail and timeline. Written only by orders.services."""

    class Kind(models.TextChoices):
        CREATED = "created", "Created"
        STATUS_CHANGED = "status_changed", "Status changed"
        UPDATED = "updated", "Updated"
        ASSIGNED = "assigned", "Assigned"
        TRACKING = "tracking", "Tracking"
        NOTE = "note", "Note"
        DELETED = "deleted", "Deleted"

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

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["order", "created_at"], name="orderevent_order_idx"),
            models.Index(fields=["txid", "id"], name="orderevent_feed_idx"),
        ]

    def __str__(self):
        return (
            f"{self.order} {self.get_kind_display()} {self.created_at:%Y-%m-%d %H:%M}"
        )

    @property
    def actor_name(self) -> str:
        if self.actor_id:
            return self.actor.get_full_name() or self.actor.get_username()
        return self.actor_label or "System"
