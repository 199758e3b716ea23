"""What every orders service shares: the stamp and event of a change, the
access checks, and the fields a service may write."""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from orders import live
from orders.models import Order, OrderEvent, Store
from orders.selectors import order_is_workable_by, user_may_create_orders_in
from orders.state_machine import OrderStatus
from performile.actors import Actor
from performile.errors import NotAllowed

# Fields a person may edit on an order after it exists (status has its own door).
EDITABLE_FIELDS = (
    "service",
    "payment_method",
    "amount",
    "currency",
    "tax_amount",
    "taxes_included",
    "shipping_method",
    "notes",
    "review_reason",
    "delivery_address",
    "package",
    "tracking_number",
    "courier",
    "tracking_url",
)


# Statuses an order may be created in.
INITIAL_STATUSES = (
    OrderStatus.DRAFT,
    OrderStatus.PENDING,
    OrderStatus.PAYMENT_VERIFIED,
)


def _actor_user(actor: Actor):
    return (
        actor
        if actor is not None and getattr(actor, "is_authenticated", False)
        else None
    )


def _event(order, kind, *, actor: Actor = None, actor_label="", **fields) -> OrderEvent:
    """The audit trail, the timeline and the change feed in one row; open Orders
    views learn about it once the transaction commits."""
    event = OrderEvent.objects.create(
        order=order,
        kind=kind,
        actor=_actor_user(actor),
        actor_label=actor_label,
        **fields,
    )
    live.order_changed(order.pk, kind)
    return event


def order_conversation_changed(order_id: int, change: str) -> None:
    """The order's conversation changed (`change`: "message", "message_reply",
    "message_system", "thread"): marked in the change feed in this transaction,
    and pushed to open pages after it. Nothing a list row shows has changed."""
    OrderEvent.objects.create(
        order_id=order_id, kind=OrderEvent.Kind.CONVERSATION, data={"change": change}
    )
    live.order_changed(order_id, change, row_changed=False)


@contextmanager
def _locked(order: Order) -> Iterator[Order]:
    """A transaction with the order's row locked (`select_for_update`), yielding
    that row as a fresh instance; `order` itself is left as it was until
    `_copy_fields` brings the change over once the transaction is done."""
    with transaction.atomic():
        yield Order.objects.select_for_update().get(pk=order.pk)


def _save_change(
    locked: Order, names, kind, *, actor: Actor, actor_label: str = "", at=None, **event
) -> list[str]:
    """Save the fields `names` of the locked order, stamped with when (`at`, by
    default now) and by whom, and write the event `kind` that tells of it. Returns
    the names of the fields saved."""
    locked.updated_at = at or timezone.now()
    locked.updated_by = _actor_user(actor)
    saved = [*names, "updated_at", "updated_by"]
    locked.save(update_fields=saved)
    _event(locked, kind, actor=actor, actor_label=actor_label, **event)
    return saved


def _ensure_may_work_on(actor: Actor, order: Order) -> None:
    """A person must be allowed to work on the order; systems (actor None) are. A
    signed-out user is a person allowed nothing, not a system."""
    if actor is not None and not order_is_workable_by(actor, order):
        raise NotAllowed("You cannot change this order.")


def _ensure_may_create(actor: Actor, store: Store) -> None:
    if not user_may_create_orders_in(actor, store):
        raise NotAllowed("You cannot create orders in this store.")


def _copy_fields(source: Order, target: Order, names) -> None:
    if source is not target:
        for name in names:
            setattr(target, name, getattr(source, name))


def changed_event_data(previous: dict) -> dict:
    """An UPDATED or TRACKING event's data: the changed fields' former values."""
    return {"changed": {name: _jsonable(old) for name, old in previous.items()}}


def _jsonable(value):
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):  # datetimes too
        return value.isoformat()
    return value
