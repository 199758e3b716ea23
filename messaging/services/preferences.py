"""A customer's choice of how they hear about their orders (read by
messaging.notifications.customers)."""

from django.db import transaction

from messaging.models import NotificationPreference
from orders.models import Customer
from performile.actors import Actor
from performile.audit import audit

PREFERENCE_FIELDS = ("email", "sms", "whatsapp", "order_updates", "shipping_updates")


def notification_preferences_update(
    *, customer: Customer, actor: Actor, **choices: bool
) -> NotificationPreference:
    """Save the customer's channels (email, sms, whatsapp) and groups
    (order_updates, shipping_updates); what is not given keeps its value."""
    unknown = set(choices) - set(PREFERENCE_FIELDS)
    if unknown:
        raise TypeError(f"Unknown preferences: {', '.join(sorted(unknown))}")
    with transaction.atomic():
        preference, _ = (
            NotificationPreference.objects.select_for_update().get_or_create(
                customer=customer
            )
        )
        changed = [
            name
            for name, value in choices.items()
            if getattr(preference, name) != bool(value)
        ]
        for name in changed:
            setattr(preference, name, bool(choices[name]))
        if changed:
            preference.save(update_fields=[*changed, "updated_at"])
            audit(
                "profile.notifications_updated",
                actor=actor,
                target=preference,
                merchant_id=customer.merchant_id,
                fields=changed,
            )
    return preference
