"""Admin of merchants, their stores, people, customers and Discord servers: the
platform operator's configuration pages."""

from django import forms
from django.conf import settings
from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe

from orders.models import (
    Customer,
    DiscordGuild,
    Membership,
    Merchant,
    Store,
)
from orders.services import (
    store_rotate_webhook_secret,
)
from performile.forms import SecretFieldsMixin


class DiscordGuildForm(SecretFieldsMixin, forms.ModelForm):
    """The bot token is a secret (performile.forms.SecretFieldsMixin)."""

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


class DiscordGuildInline(admin.StackedInline):
    model = DiscordGuild
    form = DiscordGuildForm
    fields = [
        "name",
        "guild_id",
        "application_id",
        "public_key",
        "bot_token",
        "purchased_role_id",
    ]
    extra = 0
    verbose_name_plural = "Discord servers (docs/discord.md)"


@admin.register(DiscordGuild)
class DiscordGuildAdmin(admin.ModelAdmin):
    form = DiscordGuildForm
    list_display = ["name", "guild_id", "store", "application_id", "purchased_role_id"]
    list_filter = ["store__merchant"]
    search_fields = ["name", "guild_id", "application_id", "store__name"]
    list_select_related = ["store"]


class StoreInline(admin.TabularInline):
    model = Store
    fields = ["name", "platform", "domain", "currency", "language"]
    extra = 0
    show_change_link = True


@admin.register(Merchant)
class MerchantAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "timezone", "default_currency", "created_at"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [StoreInline]


@admin.register(Store)
class StoreAdmin(admin.ModelAdmin):
    list_display = ["name", "merchant", "platform", "domain", "currency"]
    list_filter = ["platform", "merchant"]
    search_fields = ["name", "domain", "merchant__name"]
    readonly_fields = ["webhook_urls", "webhook_secret_rotated_at", "reconciled_at"]
    inlines = [DiscordGuildInline]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "merchant",
                    "name",
                    "platform",
                    "domain",
                    "currency",
                    "language",
                ]
            },
        ),
        (
            "Webhooks",
            {"fields": ["webhook_urls", "webhook_secret", "webhook_secret_rotated_at"]},
        ),
        (
            "Catching up from the shop's API",
            {
                "fields": [
                    "api_token",
                    "api_secret",
                    "reconcile_every_minutes",
                    "reconciled_at",
                ],
                "description": "Orders the webhooks missed, fetched from the shop"
                " (manage.py webshop_reconcile, or on this schedule); the domain"
                " above is the shop's address (docs/webhooks.md, Catching up).",
            },
        ),
        ("Shipping", {"fields": ["pickup_address"]}),
        (
            "Customer messages",
            {
                "fields": [
                    "support_email",
                    "sms_number",
                    "whatsapp_phone_number_id",
                    "order_number_pattern",
                ],
                "description": "Where this store's customers write to; messages to"
                " these find the store's orders (docs/messaging-channels.md).",
            },
        ),
    ]

    @admin.display(description="Webhook URLs")
    def webhook_urls(self, store):
        if not store.pk:
            return "Shown once the store is saved."
        urls = [
            (
                label,
                settings.PUBLIC_BASE_URL.rstrip("/")
                + reverse(name, args=[store.webhook_key]),
            )
            for label, name in [
                ("Shopify", "webhook-shopify"),
                ("WooCommerce", "webhook-woocommerce"),
                ("Performile JSON", "webhook-orders"),
            ]
        ]
        return format_html_join(mark_safe("<br>"), "{}: <code>{}</code>", urls)

    def save_model(self, request, obj, form, change):
        if change and "webhook_secret" in form.changed_data:
            new_secret = obj.webhook_secret
            obj.webhook_secret = form.initial.get("webhook_secret", "")
            super().save_model(request, obj, form, change)
            store_rotate_webhook_secret(store=obj, new_secret=new_secret)
            return
        super().save_model(request, obj, form, change)


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = [
        "customer_number",
        "name",
        "email",
        "phone",
        "language",
        "merchant",
        "user",
    ]
    list_filter = ["merchant", "language"]
    search_fields = ["customer_number", "name", "email", "phone", "discord_user_id"]
    raw_id_fields = ["user"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "merchant", "role", "discord_user_id", "created_at"]
    list_filter = ["role", "merchant"]
    search_fields = [
        "user__username",
        "user__email",
        "merchant__name",
        "discord_user_id",
    ]
    filter_horizontal = ["stores"]
    raw_id_fields = ["user"]
