"""An order's status, its editable fields and tracking, and notes on its
timeline. `order_change_status` is the only way an order's status changes."""

from decimal import Decimal

from orders import live, signals, state_machine
from orders.models import Order, OrderEvent
from orders.services.common import (
    EDITABLE_FIELDS,
    _actor_user,
    _copy_fields,
    _ensure_may_work_on,
    _event,
    _locked,
    _save_change,
    changed_event_data,
)
from performile.actors import Actor
from performile.errors import ApplicationError
from performile.events import send_on_commit

# What the shipments app records about the parcel (order_record_tracking).
TRACKING_FIELDS = (
    "tracking_number",
    "courier",
    "tracking_url",
    "tracking_status",
    "estimated_delivery",
    "tracking_event",
    "tracking_event_at",
    "label_url",
)


BULK_MAX = 100


def order_change_status_many(
    *, orders: list[Order], to: str, actor: Actor, note: str = ""
) -> tuple[list[Order], dict[Order, str]]:
    """`order_change_status` on each order (each in its own transaction: one
    refusal does not undo the others). Returns the orders moved and, for each
    refused one, why."""
    moved, refused = [], {}
    for order in orders[:BULK_MAX]:
        try:
            moved.append(
                order_change_status(order=order, to=to, actor=actor, note=note)
            )
        except ApplicationError as exc:
            refused[order] = exc.message
    return moved, refused


def order_change_status(
    *, order: Order, to: str, actor: Actor = None, actor_label: str = "", note: str = ""
) -> Order:
    """Move the order to `to` if the state machine allows it, with an event."""
    with _locked(order) as locked:
        _ensure_may_work_on(actor, locked)
        from_status = locked.status
        state_machine.check_transition(from_status, to)
        locked.status = to
        saved = _save_change(
            locked,
            ["status"],
            OrderEvent.Kind.STATUS_CHANGED,
            actor=actor,
            actor_label=actor_label,
            from_status=from_status,
            to_status=to,
            note=note.strip(),
        )
    send_on_commit(
        signals.order_status_changed,
        Order,
        order_id=locked.pk,
        from_status=from_status,
        to_status=to,
        actor_id=locked.updated_by_id,
        note=note,
    )
    _copy_fields(locked, order, saved)
    return order


def order_update(
    *,
    order: Order,
    actor: Actor = None,
    actor_label: str = "",
    note: str = "",
    **values,
) -> list[str]:
    """Change editable fields; returns the names of those that changed."""
    unknown = set(values) - set(EDITABLE_FIELDS)
    if unknown:
        raise ApplicationError(
            f"These fields cannot be edited: {', '.join(sorted(unknown))}."
        )
    with _locked(order) as locked:
        _ensure_may_work_on(actor, locked)
        changes = {
            name: (getattr(locked, name), value)
            for name, value in values.items()
            if getattr(locked, name) != value
        }
        if not changes:
            return []
        for name, (_old, new) in changes.items():
            setattr(locked, name, new)
        tracking_added = "tracking_number" in changes and locked.tracking_number
        saved = _save_change(
            locked,
            changes,
            OrderEvent.Kind.TRACKING if tracking_added else OrderEvent.Kind.UPDATED,
            actor=actor,
            actor_label=actor_label,
            note=note,
            data=changed_event_data({n: old for n, (old, _new) in changes.items()}),
        )
    send_on_commit(
        signals.order_updated, Order, order_id=locked.pk, changed=list(changes)
    )
    _copy_fields(locked, order, saved)
    return list(changes)


def order_record_tracking(
    *,
    order: Order,
    actor: Actor = None,
    actor_label: str = "",
    note: str = "",
    **tracking,
) -> list[str]:
    """Record the parcel's tracking on its order (number, courier, link, normalized
    status, ETA), as the shipments app learns it. Returns the changed field names."""
    unknown = set(tracking) - set(TRACKING_FIELDS)
    if unknown:
        raise TypeError(f"Unknown tracking fields: {sorted(unknown)}")
    with _locked(order) as locked:
        changes = {
            name: getattr(locked, name)
            for name, value in tracking.items()
            if getattr(locked, name) != value
        }
        if not changes:
            return []
        for name in changes:
            setattr(locked, name, tracking[name])
        saved = _save_change(
            locked,
            changes,
            OrderEvent.Kind.TRACKING,
            actor=actor,
            actor_label=actor_label,
            note=note,
            data=changed_event_data(changes),
        )
    send_on_commit(
        signals.order_updated, Order, order_id=locked.pk, changed=list(changes)
    )
    _copy_fields(locked, order, saved)
    return list(changes)


def order_log(
    *, order: Order, note: str, actor: Actor = None, actor_label: str = "", data=None
) -> OrderEvent:
    """A note on the order's timeline, from another part of the platform (a claim
    filed, a notification sent...)."""
    return _event(
        order,
        OrderEvent.Kind.NOTE,
        actor=actor,
        actor_label=actor_label,
        note=note,
        data=data or {},
    )


def order_log_many(*, notes: list[dict]) -> list[OrderEvent]:
    """`order_log` for many notes at once (a past written in bulk): each the
    arguments of `order_log`, and `created_at`, when it happened."""
    events = OrderEvent.objects.bulk_create(
        OrderEvent(
            order=note["order"],
            kind=OrderEvent.Kind.NOTE,
            actor=_actor_user(note.get("actor")),
            actor_label=note.get("actor_label", ""),
            note=note["note"],
            data=note.get("data") or {},
            created_at=note["created_at"],
        )
        for note in notes
    )
    for event in events:
        live.order_changed(event.order_id, OrderEvent.Kind.NOTE)
    return events


def order_log_payment(
    *,
    order: Order,
    amount: Decimal,
    currency: str,
    method: str,
    method_label: str = "",
    reference: str = "",
    actor: Actor = None,
    actor_label: str = "",
    verified_by: str = "",
) -> OrderEvent:
    """A payment someone verified, on the order's timeline; once committed,
    `order_payment_logged` tells invoices to record it."""
    if amount <= 0:
        raise ApplicationError("A logged payment must be more than zero.")
    note = f"Payment of {amount} {currency} by {method_label or method} verified"
    event = order_log(
        order=order,
        note=f"{note} by {verified_by}" if verified_by else note,
        actor=actor,
        actor_label=actor_label,
        data={
            "payment": {
                "amount": str(amount),
                "currency": currency,
                "method": method,
                "reference": reference,
            }
        },
    )
    send_on_commit(
        signals.order_payment_logged,
        Order,
        order_id=order.pk,
        amount=amount,
        currency=currency,
        method=method,
        reference=reference,
    )
    return event
