"""A customer's choice of how they hear about their orders (read by
messaging.notifications.customers)."""

from django.db import transaction

from messaging.models import NotificationPreference
from orders.models import Customer
from performile.actors import Actor
from performile.audit import audit
from performile.errors import ApplicationError

SWITCHES = ("email", "sms", "whatsapp", "order_updates", "shipping_updates")
HOURS = ("quiet_start", "quiet_end")
PREFERENCE_FIELDS = (*SWITCHES, "quiet_hours", *HOURS)


def notification_preferences_update(
    *, customer: Customer, actor: Actor, **choices: bool
) -> NotificationPreference:
    """Save the customer's channels (email, sms, whatsapp), groups
    (order_updates, shipping_updates) and quiet hours (quiet_hours, quiet_start,
    quiet_end: whole hours, start and end apart); what is not given keeps its
    value."""
    unknown = set(choices) - set(PREFERENCE_FIELDS)
    if unknown:
        raise TypeError(f"Unknown preferences: {', '.join(sorted(unknown))}")
    values = _values(choices)
    with transaction.atomic():
        preference, _ = (
            NotificationPreference.objects.select_for_update().get_or_create(
                customer=customer
            )
        )
        start = values.get("quiet_start", preference.quiet_start)
        if start == values.get("quiet_end", preference.quiet_end):
            raise ApplicationError(
                "Quiet hours need a start and an end that differ.",
                fields={"quiet_end": ["Pick an end other than the start."]},
            )
        changed = [
            name for name, value in values.items() if getattr(preference, name) != value
        ]
        for name in changed:
            setattr(preference, name, values[name])
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


def _values(choices: dict) -> dict:
    values = {}
    for name, value in choices.items():
        if name not in HOURS:
            values[name] = bool(value)
            continue
        try:
            hour = int(value)
        except (TypeError, ValueError):
            hour = -1
        if not 0 <= hour <= 23:
            raise ApplicationError(
                "Quiet hours are whole hours of the day.",
                fields={name: ["Pick an hour from 00 to 23."]},
            )
        values[name] = hour
    return values
