"""A store's support settings: what is answered without a person."""

from django.db import transaction
from django.utils import timezone

from messaging.models import SupportSettings
from orders.models import Store
from orders.selectors import merchant_is_managed_by
from performile.actors import Actor
from performile.audit import audit
from performile.errors import NotAllowed


def support_settings_update(
    *, store: Store, actor: Actor, auto_answers: bool
) -> SupportSettings:
    """Turn the store's automatic answers on or off (the merchant's staff and
    admins), with an audit row when it changes."""
    if actor is not None and not merchant_is_managed_by(actor, store.merchant_id):
        raise NotAllowed("Only the merchant's staff change support settings.")
    with transaction.atomic():
        found, _ = SupportSettings.objects.select_for_update().get_or_create(
            store=store
        )
        if found.auto_answers != bool(auto_answers):
            found.auto_answers = bool(auto_answers)
            found.updated_at = timezone.now()
            found.save(update_fields=["auto_answers", "updated_at"])
            audit(
                "store.support_settings_updated",
                actor=actor,
                target=found,
                merchant_id=store.merchant_id,
                auto_answers=found.auto_answers,
            )
    return found
