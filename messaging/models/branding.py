"""How a store's emails look to its customers: the name they come from, the logo
and colour of their letterhead, the sign-off and the footer (docs/emails.md)."""

import secrets
from pathlib import PurePath

from django.core.validators import RegexValidator
from django.db import models
from django.utils.timezone import now

from orders.models import Store

HEX_COLOUR = RegexValidator(
    r"^#[0-9a-fA-F]{6}$", "A colour as #rrggbb, for example #1f6f4a."
)
DEFAULT_COLOUR = "#1f2937"


def logo_path(branding: "StoreBranding", filename: str) -> str:
    # A random name: the logo is served to anyone who has an email with it, and
    # nobody should find another store's by counting.
    suffix = PurePath(filename).suffix.lower()
    return f"branding/{secrets.token_urlsafe(16)}{suffix}"


class StoreBranding(models.Model):
    """One store's email branding. No row means the defaults: the store's name,
    a dark header, "Kind regards, <name>"."""

    store = models.OneToOneField(
        Store, on_delete=models.CASCADE, related_name="branding"
    )
    display_name = models.CharField(
        max_length=100,
        blank=True,
        help_text="The name customers see as the sender. Empty: the store's name.",
    )
    logo = models.ImageField(upload_to=logo_path, max_length=200, blank=True)
    colour = models.CharField(
        max_length=7, blank=True, validators=[HEX_COLOUR], help_text="#rrggbb"
    )
    sign_off = models.TextField(
        max_length=300,
        blank=True,
        help_text="Ends every email. Empty: “Kind regards,” and the name.",
    )
    footer = models.TextField(
        max_length=500, blank=True, help_text="Under every email: an address."
    )
    updated_at = models.DateTimeField(default=now)

    class Meta:
        verbose_name_plural = "store brandings"

    def __str__(self):
        return f"Email branding of {self.store}"
