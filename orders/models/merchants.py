"""Merchants, their stores, the people who work for them, and linked Discord servers."""

import re
import uuid
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.timezone import now


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
    language = models.CharField(
        max_length=8,
        choices=settings.LANGUAGES,
        default="en",
        db_default="en",
        help_text="The language customers are written to unless they chose their"
        " own (orders.languages).",
    )
    created_at = models.DateTimeField(default=now)

    class Meta:
        ordering = ["merchant__name", "name"]

    def __str__(self):
        return self.name


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
        return self.role in TEAM_ROLES


# The merchant's own people: they see and manage all of the merchant's orders.
TEAM_ROLES = (Membership.Role.STAFF, Membership.Role.ADMIN)


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
