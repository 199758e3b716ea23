"""Who works on an order: its staff and its supplier."""

from orders import signals
from orders.models import TEAM_ROLES, Membership, Order, OrderEvent
from orders.selectors import order_is_managed_by
from orders.services.common import _copy_fields, _locked, _save_change
from performile.actors import Actor
from performile.errors import ApplicationError, NotAllowed
from performile.events import send_on_commit

ASSIGNEE_ROLES = {
    "assigned_staff": TEAM_ROLES,
    "supplier": (Membership.Role.SUPPLIER,),
}


def _assignee(order: Order, name: str, user_id: int):
    """The member of the order's merchant with that id and a role `name` takes. An
    id that is nobody's and the id of someone outside this merchant get the same
    answer, so no one learns which user ids exist elsewhere."""
    roles = ASSIGNEE_ROLES[name]
    membership = (
        Membership.objects.filter(
            user_id=user_id, merchant_id=order.merchant_id, role__in=roles
        )
        .select_related("user")
        .first()
    )
    if membership is None:
        raise ApplicationError(
            f"No {' or '.join(roles)} of this merchant has that id.",
            fields={name: ["Not a member with that role."]},
        )
    return membership.user


def order_assign(
    *, order: Order, actor: Actor, actor_label: str = "", **assignees
) -> Order:
    """Assign staff and/or a supplier, each given as a user or a user id (None
    unassigns). Staff and admins only."""
    unknown = set(assignees) - set(ASSIGNEE_ROLES)
    if unknown:
        raise TypeError(f"Unknown assignees: {sorted(unknown)}")
    if actor is not None and not order_is_managed_by(actor, order):
        raise NotAllowed("Only the merchant's staff can assign orders.")
    assignees = {
        name: None if who is None else _assignee(order, name, getattr(who, "pk", who))
        for name, who in assignees.items()
    }
    with _locked(order) as locked:
        before = {name: getattr(locked, f"{name}_id") for name in assignees}
        for name, user in assignees.items():
            setattr(locked, name, user)
        saved = _save_change(
            locked,
            assignees,
            OrderEvent.Kind.ASSIGNED,
            actor=actor,
            actor_label=actor_label,
            note=assigned_event_note(assignees),
            data={"before": before},
        )
    send_on_commit(
        signals.order_updated, Order, order_id=locked.pk, changed=list(assignees)
    )
    _copy_fields(locked, order, saved)
    return order


def assigned_event_note(assignees: dict) -> str:
    return ", ".join(
        f"{name.replace('_', ' ')}: {user or 'nobody'}"
        for name, user in assignees.items()
    )
