"""Writes to a store's own settings."""

from django.utils import timezone

from orders.models import Store


def store_rotate_webhook_secret(*, store: Store, new_secret: str) -> Store:
    """Replace the secret; the old one stays valid for an hour
    (docs/providers.md#shopify)."""
    if new_secret == store.webhook_secret:
        return store
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
    return store
