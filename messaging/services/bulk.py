"""The Inbox's bulk actions: close the selected conversations, or give their
orders to one team member. Each goes through the one-order service (its checks,
its events, its live update); what a service refuses is named, not skipped."""

from dataclasses import dataclass, field

from messaging.services.threads import thread_close
from orders.models import Order
from orders.selectors import visible_orders
from orders.services import order_assign
from performile.actors import Actor
from performile.errors import ApplicationError, NotAllowed

BULK_MAX = 100


@dataclass
class Outcome:
    done: list[Order] = field(default_factory=list)
    refused: dict[Order, str] = field(default_factory=dict)
    missing: int = 0  # ids the actor may not see, or that are no orders


def conversations_close(*, order_ids, actor: Actor) -> Outcome:
    return _each(order_ids, actor, lambda order: thread_close(order=order, actor=actor))


def conversations_assign(*, order_ids, actor: Actor, staff) -> Outcome:
    """Assign the orders to `staff` (a user or an id; None unassigns)."""
    return _each(
        order_ids,
        actor,
        lambda order: order_assign(order=order, actor=actor, assigned_staff=staff),
    )


def _each(order_ids, actor: Actor, act) -> Outcome:
    ids = {int(pk) for pk in order_ids if str(pk).isdigit()}
    found = list(visible_orders(actor).filter(pk__in=ids).order_by("-id")[:BULK_MAX])
    outcome = Outcome(missing=len(ids) - len(found))
    for order in found:
        try:
            act(order)
        except (NotAllowed, ApplicationError) as exc:
            outcome.refused[order] = getattr(exc, "message", str(exc))
        else:
            outcome.done.append(order)
    return outcome
