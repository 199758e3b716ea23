"""A store's support settings: what is answered without a person, and the service
levels its conversations are held to (messaging.sla)."""

from django.db import transaction
from django.utils import timezone

from messaging.models import SupportSettings
from orders.models import Store
from orders.selectors import merchant_is_managed_by
from performile.actors import Actor
from performile.audit import audit
from performile.errors import ApplicationError, NotAllowed

FIELDS = (
    "auto_answers",
    "satisfaction_surveys",
    "first_response_minutes",
    "resolution_hours",
)
TARGETS = {"first_response_minutes": 60 * 24 * 30, "resolution_hours": 24 * 90}


def support_settings_update(*, store: Store, actor: Actor, **values) -> SupportSettings:
    """Change the store's settings (the merchant's staff and admins): automatic
    answers on or off, satisfaction questions on or off, the reply target in minutes and the resolution target in
    hours (None: no target). What is not given keeps its value; a change is
    audited."""
    if actor is not None and not merchant_is_managed_by(actor, store.merchant_id):
        raise NotAllowed("Only the merchant's staff change support settings.")
    unknown = set(values) - set(FIELDS)
    if unknown:
        raise TypeError(f"Unknown support settings: {', '.join(sorted(unknown))}")
    _check_targets(values)
    with transaction.atomic():
        found, _ = SupportSettings.objects.select_for_update().get_or_create(
            store=store
        )
        changed = {
            name: value
            for name, value in values.items()
            if getattr(found, name) != value
        }
        if changed:
            for name, value in changed.items():
                setattr(found, name, value)
            found.updated_at = timezone.now()
            found.save(update_fields=[*changed, "updated_at"])
            audit(
                "store.support_settings_updated",
                actor=actor,
                target=found,
                merchant_id=store.merchant_id,
                **changed,
            )
    return found


def _check_targets(values: dict) -> None:
    errors = {}
    for name, top in TARGETS.items():
        value = values.get(name)
        if value is not None and not (isinstance(value, int) and 1 <= value <= top):
            errors[name] = [f"A whole number from 1 to {top}, or empty for none."]
    if errors:
        raise ApplicationError("These targets cannot be used.", fields=errors)
