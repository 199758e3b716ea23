"""The audit trail of actions that are not order changes (those are OrderEvents):
message reads, replies, internal notes, thread links and closes, downloads,
sign-ins. One row per action, written in the caller's transaction."""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from performile.actors import Actor
from performile.models import AuditEvent

_recording: ContextVar[list[str] | None] = ContextVar("audit_recording", default=None)


@contextmanager
def recorded() -> Iterator[list[str]]:
    """The actions audited within the block through `audit` and `audit_many`, as
    they are written (a caller that records on behalf of what it wraps, the
    portal's page views, asks whether the wrapped code recorded anything)."""
    actions: list[str] = []
    token = _recording.set(actions)
    try:
        yield actions
    finally:
        _recording.reset(token)


def _note(action: str) -> None:
    actions = _recording.get()
    if actions is not None:
        actions.append(action)


def audit(action: str, **fields) -> AuditEvent:
    """Record `action` ("message.read", "thread.closed", ...) by `actor` on
    `target` (a model instance): the row of `audit_event`, saved."""
    event = audit_event(action, **fields)
    event.save()
    _note(action)
    return event


def audit_event(
    action: str,
    *,
    actor: Actor = None,
    actor_label: str = "",
    target=None,
    order_id: int | None = None,
    merchant_id: int | None = None,
    **data,
) -> AuditEvent:
    """An audit row, unsaved: `audit` saves one, a past written in bulk many in
    one INSERT (`AuditEvent.objects.bulk_create`)."""
    user = actor if getattr(actor, "is_authenticated", False) else None
    return AuditEvent(
        action=action,
        actor=user,
        actor_label=actor_label,
        object_type=target._meta.label_lower if target is not None else "",
        object_id=str(target.pk) if target is not None else "",
        order_id=order_id,
        merchant_id=merchant_id,
        data=data,
    )


def audit_many(action: str, *, actor: Actor, targets, **fields) -> None:
    """One row per target, in one INSERT (marking a thread read touches many)."""
    user = actor if getattr(actor, "is_authenticated", False) else None
    written = AuditEvent.objects.bulk_create(
        AuditEvent(
            action=action,
            actor=user,
            object_type=target._meta.label_lower,
            object_id=str(target.pk),
            **fields,
        )
        for target in targets
    )
    if written:
        _note(action)
