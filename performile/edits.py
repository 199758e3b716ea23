"""A settings form's changes written to its row: only the fields that changed
(`save(update_fields=...)`), with one audit row naming them (never their values:
some are secrets)."""

from django.db import transaction
from django.db.models import Model

from performile.actors import Actor
from performile.audit import audit


def save_changed(instance: Model, values: dict) -> list[str]:
    """Set the fields of `values` that differ and save those; the names of the
    changed fields, in the order given (none: nothing is written)."""
    changed = [
        name for name, value in values.items() if getattr(instance, name) != value
    ]
    for name in changed:
        setattr(instance, name, values[name])
    if changed:
        instance.save(update_fields=changed)
    return changed


def settings_update(
    instance: Model,
    values: dict,
    *,
    allowed,
    action: str,
    actor: Actor,
    merchant_id: int,
) -> list[str]:
    """Write the changed settings among `allowed` and audit them as `action`;
    the names of those that changed."""
    unknown = set(values) - set(allowed)
    if unknown:
        raise ValueError(f"Not a setting here: {', '.join(sorted(unknown))}")
    with transaction.atomic():
        changed = save_changed(instance, values)
        if changed:
            audit(
                action,
                actor=actor,
                target=instance,
                merchant_id=merchant_id,
                fields=changed,
            )
    return changed
