"""Soft deletion of orders and its undoing."""

from django.db import transaction
from django.utils import timezone

from orders import signals
from orders.models import Order, OrderEvent
from orders.selectors import order_is_managed_by
from orders.services.common import _copy_fields, _event, _jsonable
from performile.errors import NotAllowed
from performile.events import send_on_commit


def order_delete(*, order: Order, actor, reason: str = "") -> Order:
    """Delete the order softly: it leaves every list, API and portal page, and its
    rows, events and shipments stay for the audit trail. Staff and admins only."""
    return _order_set_deleted(order, actor, deleted=True, note=reason.strip())


def order_restore(*, order: Order, actor) -> Order:
    """Undo `order_delete`: the order is back in every list, API and portal page.
    Staff and admins only (the admin's "Restore deleted orders")."""
    return _order_set_deleted(order, actor, deleted=False)


def _order_set_deleted(order: Order, actor, *, deleted: bool, note: str = ""):
    if not order_is_managed_by(actor, order):
        verb = "delete" if deleted else "restore"
        raise NotAllowed(f"Only the merchant's staff can {verb} orders.")
    fields = ["deleted_at", "deleted_by", "updated_at", "updated_by"]
    with transaction.atomic():
        locked = Order.objects.select_for_update().get(pk=order.pk)
        if (locked.deleted_at is not None) == deleted:
            return order
        was_deleted_at = locked.deleted_at
        locked.updated_at = timezone.now()
        locked.updated_by = actor
        locked.deleted_at = locked.updated_at if deleted else None
        locked.deleted_by = actor if deleted else None
        locked.save(update_fields=fields)
        if deleted:
            _event(
                locked,
                OrderEvent.Kind.DELETED,
                actor=actor,
                note=note,
                data={"status": locked.status},
            )
        else:
            _event(
                locked,
                OrderEvent.Kind.UPDATED,
                actor=actor,
                data={"restored": True, "deleted_at": _jsonable(was_deleted_at)},
            )
    if deleted:
        send_on_commit(signals.order_deleted, Order, order_id=locked.pk)
    else:
        send_on_commit(
            signals.order_updated, Order, order_id=locked.pk, changed=["deleted_at"]
        )
    _copy_fields(locked, order, fields)
    return order
