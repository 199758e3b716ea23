"""Writes to a merchant's own settings and its stores' (workspace.settings, the
Django admin): every one with the actor, audited (performile.audit); secrets are
named in the audit trail, never written into it."""

import secrets

from django.db import transaction
from django.utils import timezone

from orders.models import DiscordGuild, Merchant, Store
from performile.actors import Actor
from performile.audit import audit
from performile.edits import settings_update

# Store fields a merchant admin edits (the rest are the system's): the store and
# its webshop connection, its pickup address, where its customers write to.
STORE_CONNECTION_FIELDS = (
    "name",
    "platform",
    "domain",
    "currency",
    "language",
    "api_token",
    "api_secret",
    "reconcile_every_minutes",
)
STORE_CHANNEL_FIELDS = (
    "support_email",
    "sms_number",
    "whatsapp_phone_number_id",
    "order_number_pattern",
)
STORE_FIELDS = (*STORE_CONNECTION_FIELDS, "pickup_address", *STORE_CHANNEL_FIELDS)
MERCHANT_FIELDS = ("name", "timezone", "default_currency")


def new_webhook_secret() -> str:
    return secrets.token_urlsafe(32)


def store_create(*, merchant: Merchant, actor: Actor, values: dict) -> Store:
    """A new store of the merchant, with a webhook secret of its own."""
    unknown = set(values) - set(STORE_FIELDS)
    if unknown:
        raise ValueError(f"Not a store setting: {', '.join(sorted(unknown))}")
    with transaction.atomic():
        store = Store.objects.create(
            merchant=merchant, webhook_secret=new_webhook_secret(), **values
        )
        audit(
            "store.created",
            actor=actor,
            target=store,
            merchant_id=merchant.pk,
            name=store.name,
        )
    return store


def store_update(*, store: Store, actor: Actor, values: dict) -> list[str]:
    """Write the changed settings; the names of those that changed."""
    return settings_update(
        store,
        values,
        allowed=STORE_FIELDS,
        action="store.updated",
        actor=actor,
        merchant_id=store.merchant_id,
    )


def merchant_update(*, merchant: Merchant, actor: Actor, values: dict) -> list[str]:
    """The merchant's name, time zone and default currency."""
    return settings_update(
        merchant,
        values,
        allowed=MERCHANT_FIELDS,
        action="merchant.updated",
        actor=actor,
        merchant_id=merchant.pk,
    )


def store_reveal_webhook_secret(*, store: Store, actor: Actor) -> str:
    """The store's webhook secret, for a person to read: every reveal is audited."""
    audit(
        "store.webhook_secret_revealed",
        actor=actor,
        target=store,
        merchant_id=store.merchant_id,
    )
    return store.webhook_secret


def store_rotate_webhook_secret(
    *, store: Store, new_secret: str, actor: Actor = None
) -> Store:
    """Replace the secret; the old one stays valid for an hour
    (docs/providers.md#shopify). A person's rotation (`actor`) is audited."""
    if new_secret == store.webhook_secret:
        return store
    with transaction.atomic():
        store.previous_webhook_secret = store.webhook_secret
        store.webhook_secret = new_secret
        store.webhook_secret_rotated_at = timezone.now()
        store.save(
            update_fields=[
                "webhook_secret",
                "previous_webhook_secret",
                "webhook_secret_rotated_at",
            ]
        )
        if actor is not None:
            audit(
                "store.webhook_secret_rotated",
                actor=actor,
                target=store,
                merchant_id=store.merchant_id,
            )
    return store


GUILD_FIELDS = (
    "store",
    "guild_id",
    "name",
    "application_id",
    "public_key",
    "bot_token",
    "purchased_role_id",
)


def discord_guild_link(*, actor: Actor, values: dict) -> DiscordGuild:
    """Link a Discord server to one of the merchant's stores (docs/discord.md):
    its slash commands then read and write that store's orders."""
    unknown = set(values) - set(GUILD_FIELDS)
    if unknown:
        raise ValueError(f"Not a Discord setting: {', '.join(sorted(unknown))}")
    with transaction.atomic():
        guild = DiscordGuild.objects.create(**values)
        audit(
            "discord_guild.linked",
            actor=actor,
            target=guild,
            merchant_id=guild.store.merchant_id,
            guild_id=guild.guild_id,
        )
    return guild


def discord_guild_unlink(*, guild: DiscordGuild, actor: Actor) -> None:
    """The server's commands answer nothing of ours from now on."""
    with transaction.atomic():
        audit(
            "discord_guild.unlinked",
            actor=actor,
            target=guild,
            merchant_id=guild.store.merchant_id,
            guild_id=guild.guild_id,
        )
        guild.delete()
