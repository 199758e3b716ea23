"""Soft deletion of orders and its undoing."""

from django.utils import timezone

from orders import signals
from orders.models import Order, OrderEvent
from orders.selectors import order_is_managed_by
from orders.services.common import _copy_fields, _jsonable, _locked, _save_change
from performile.actors import Actor
from performile.errors import NotAllowed
from performile.events import send_on_commit


def order_delete(*, order: Order, actor: Actor, reason: str = "") -> Order:
    """Delete the order softly: it leaves every list, API and portal page, and its
    rows, events and shipments stay for the audit trail. Staff and admins only."""
    return _order_set_deleted(order, actor, deleted=True, note=reason.strip())


def order_restore(*, order: Order, actor: Actor) -> Order:
    """Undo `order_delete`: the order is back in every list, API and portal page.
    Staff and admins only (the admin's "Restore deleted orders")."""
    return _order_set_deleted(order, actor, deleted=False)


def _order_set_deleted(order: Order, actor: Actor, *, deleted: bool, note: str = ""):
    if not order_is_managed_by(actor, order):
        verb = "delete" if deleted else "restore"
        raise NotAllowed(f"Only the merchant's staff can {verb} orders.")
    with _locked(order) as locked:
        if (locked.deleted_at is not None) == deleted:
            return order
        was_deleted_at = locked.deleted_at
        now = timezone.now()
        locked.deleted_at = now if deleted else None
        locked.deleted_by = actor if deleted else None
        if deleted:
            kind = OrderEvent.Kind.DELETED
            event = {"note": note, "data": {"status": locked.status}}
        else:
            kind = OrderEvent.Kind.UPDATED
            event = {
                "data": {"restored": True, "deleted_at": _jsonable(was_deleted_at)}
            }
        saved = _save_change(
            locked, ["deleted_at", "deleted_by"], kind, actor=actor, at=now, **event
        )
    if deleted:
        send_on_commit(signals.order_deleted, Order, order_id=locked.pk)
    else:
        send_on_commit(
            signals.order_updated, Order, order_id=locked.pk, changed=["deleted_at"]
        )
    _copy_fields(locked, order, saved)
    return order
