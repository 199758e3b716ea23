"""The settings forms. They never write: each validates against a copy of the
row and `values()` hands the cleaned values to the service that writes them.
Secrets are write-only: never rendered back, and an empty field keeps the one
there is."""

import copy
import re
from zoneinfo import available_timezones

from django import forms

from invoices.models import BillingProfile
from invoices.services.profile import PROFILE_FIELDS
from orders.models import DiscordGuild, Membership, Merchant, Store
from orders.services.stores import STORE_CHANNEL_FIELDS, STORE_CONNECTION_FIELDS
from performile.forms import SecretFieldsMixin
from shipments.accounts import ACCOUNT_FIELDS
from shipments.couriers import CHOICES as COURIER_CHOICES
from shipments.models import CourierAccount

CURRENCY = re.compile(r"^[A-Z]{3}$")
PICKUP_FIELDS = (
    ("name", "Contact name", True),
    ("company", "Company", False),
    ("line1", "Street address", True),
    ("line2", "Address line 2", False),
    ("postal_code", "Postal code", True),
    ("city", "City", True),
    ("country", "Country (ISO code, e.g. SE)", True),
    ("phone", "Phone", False),
    ("email", "Email", False),
)


class SettingsForm(SecretFieldsMixin, forms.ModelForm):
    def __init__(self, *args, instance=None, **kwargs):
        # A copy: ModelForm validation writes the cleaned values onto its instance,
        # and the service compares the row with them to see what changed.
        kept = copy.copy(instance) if instance is not None else None
        super().__init__(*args, instance=kept, **kwargs)

    def values(self) -> dict:
        return {
            name: self.cleaned_data[name]
            for name in self._meta.fields
            if name in self.cleaned_data
        }


def _currency(value: str) -> str:
    value = (value or "").strip().upper()
    if not CURRENCY.match(value):
        raise forms.ValidationError("A three-letter ISO 4217 code, e.g. SEK.")
    return value


class MerchantForm(SettingsForm):
    timezone = forms.ChoiceField(label="Time zone")

    class Meta:
        model = Merchant
        fields = ["name", "timezone", "default_currency"]
        labels = {"name": "Business name", "default_currency": "Default currency"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["timezone"].choices = [
            (zone, zone.replace("_", " ")) for zone in sorted(available_timezones())
        ]
        self.fields[
            "timezone"
        ].help_text = "Every time is shown, and every date typed, in this zone."

    def clean_default_currency(self):
        return _currency(self.cleaned_data.get("default_currency"))


class StoreForm(SettingsForm):
    """The store, its webshop connection and its pickup address (the sender of
    the parcels booked for its orders), as fields rather than JSON."""

    secret_fields = ("api_token", "api_secret")

    class Meta:
        model = Store
        fields = list(STORE_CONNECTION_FIELDS)
        labels = {
            "platform": "Webshop platform",
            "api_token": "API token",
            "api_secret": "API secret",
            "reconcile_every_minutes": "Catch up every (minutes)",
            "language": "Customers' language",
        }
        help_texts = {
            "language": "Notifications, emails and the portal are in it, for each"
            " customer who has not chosen their own.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"].required = False
        address = self.instance.pickup_address or {}
        for key, label, _required in PICKUP_FIELDS:
            self.fields[f"pickup_{key}"] = forms.CharField(
                label=label,
                required=False,
                max_length=200,
                initial=str(address.get(key, "")),
            )

    def clean_currency(self):
        return _currency(self.cleaned_data.get("currency"))

    def clean_language(self):
        # A post without it (a script of the merchant's) leaves it as it is.
        return self.cleaned_data.get("language") or self.instance.language or "en"

    def clean(self):
        cleaned = super().clean()
        address = {
            key: cleaned.get(f"pickup_{key}", "").strip()
            for key, _label, _required in PICKUP_FIELDS
        }
        if any(address.values()):
            for key, label, required in PICKUP_FIELDS:
                if required and not address[key]:
                    self.add_error(f"pickup_{key}", f"{label} is required.")
        if address.get("country"):
            address["country"] = address["country"].upper()
        cleaned["pickup_address"] = {k: v for k, v in address.items() if v}
        return cleaned

    def values(self) -> dict:
        return {
            **super().values(),
            "pickup_address": self.cleaned_data["pickup_address"],
        }

    def pickup_fields(self):
        return [self[f"pickup_{key}"] for key, _label, _required in PICKUP_FIELDS]


class ChannelsForm(SettingsForm):
    """Where the store's customers write to (docs/messaging-channels.md),
    whether "where is my order?" is answered automatically (docs/inbox.md), and
    whether customers are asked how we did (docs/csat.md)."""

    auto_answers = forms.BooleanField(
        label="Answer “where is my order?” automatically",
        required=False,
        help_text="A customer who asks where their order is gets its live status,"
        " last scan, expected delivery and tracking link at once, on the channel"
        " they wrote on. Not within an hour of a reply from your team; anything"
        " else they ask still waits for you.",
    )
    satisfaction_surveys = forms.BooleanField(
        label="Ask customers “How did we do?”",
        required=False,
        help_text="An hour after a conversation with the customer is closed, or"
        " after their order is delivered, they are asked for a rating from 1 to 5"
        " (at most once per order in 30 days). The answers are in Messages →"
        " Metrics.",
    )
    first_response_minutes = forms.IntegerField(
        label="Reply within (minutes)",
        required=False,
        min_value=1,
        max_value=60 * 24 * 30,
        help_text="A customer who writes gets a reply from your team within this"
        " time. Conversations near it and past it are flagged in the Inbox, and"
        " past it the assignee and the admins are emailed. Empty: no target.",
    )
    resolution_hours = forms.IntegerField(
        label="Close within (hours)",
        required=False,
        min_value=1,
        max_value=24 * 90,
        help_text="From the customer's first message (or a reopening) to closing"
        " the conversation. Empty: no target.",
    )

    class Meta:
        model = Store
        fields = list(STORE_CHANNEL_FIELDS)
        labels = {
            "sms_number": "SMS number",
            "whatsapp_phone_number_id": "WhatsApp phone number ID",
        }

    def clean_sms_number(self):
        number = self.cleaned_data.get("sms_number", "").replace(" ", "")
        if number and not re.fullmatch(r"\+[1-9]\d{6,14}", number):
            raise forms.ValidationError("An E.164 number, e.g. +46700000001.")
        return number


class WebhookSecretForm(forms.Form):
    """A secret to use from now on (the one the shop shows, for Shopify), or
    none: a new one is made (orders.services.store_rotate_webhook_secret keeps
    the old one valid for an hour)."""

    secret = forms.CharField(
        label="Secret from your shop (optional)",
        required=False,
        max_length=255,
        strip=True,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="Empty: we make a new random secret to paste into the shop.",
    )


class WebhookTestForm(forms.Form):
    secret = forms.CharField(
        label="Sign with (optional)",
        required=False,
        max_length=255,
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}),
        help_text="The secret your shop signs with; empty: this store's own.",
    )


class CourierAccountForm(SettingsForm):
    secret_fields = ("api_key", "api_secret", "webhook_secret")

    class Meta:
        model = CourierAccount
        fields = list(ACCOUNT_FIELDS)
        labels = {
            "base_url": "API address",
            "api_key": "API key",
            "api_secret": "API secret",
            "webhook_secret": "Webhook secret",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choices = list(COURIER_CHOICES)
        current = self.instance.courier
        if current and current not in dict(choices):
            choices.append((current, current))
        self.fields["courier"] = forms.ChoiceField(
            label="Courier", choices=choices, initial=current or None
        )


class BillingProfileForm(SettingsForm):
    secret_fields = ("stripe_webhook_secret",)

    class Meta:
        model = BillingProfile
        fields = list(PROFILE_FIELDS)
        labels = {
            "vat_number": "VAT number",
            "stripe_webhook_secret": "Stripe signing secret",
        }
        widgets = {
            "address": forms.Textarea(attrs={"rows": 3}),
            "payment_instructions": forms.Textarea(attrs={"rows": 3}),
        }


class DiscordGuildForm(SettingsForm):
    secret_fields = ("bot_token",)

    class Meta:
        model = DiscordGuild
        fields = [
            "store",
            "name",
            "guild_id",
            "application_id",
            "public_key",
            "bot_token",
            "purchased_role_id",
        ]
        labels = {"guild_id": "Server (guild) ID", "application_id": "Application ID"}

    def __init__(self, *args, stores, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["store"].queryset = stores
        self.fields["store"].empty_label = None


ROLE_HELP = (
    "Admins run these settings; staff work every order; resellers the orders of"
    " their stores; suppliers the orders assigned to them."
)


class RoleForm(forms.Form):
    role = forms.ChoiceField(choices=Membership.Role.choices, help_text=ROLE_HELP)
    stores = forms.ModelMultipleChoiceField(
        queryset=Store.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="For a reseller: the stores they own.",
    )

    def __init__(self, *args, stores, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["stores"].queryset = stores


class InviteForm(RoleForm):
    email = forms.EmailField(label="Email address")
    name = forms.CharField(label="Name (optional)", required=False, max_length=150)

    field_order = ["email", "name", "role", "stores"]
