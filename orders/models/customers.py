"""The customers of a merchant."""

import secrets

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.db.models import Q
from django.db.models.functions import Upper
from django.utils.timezone import now

from orders.models.merchants import Merchant


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
    language = models.CharField(
        max_length=8,
        choices=settings.LANGUAGES,
        blank=True,
        db_default="",
        help_text="The language the customer is written to; empty: the store's.",
    )
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
