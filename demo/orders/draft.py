"""Demo orders written in memory, as orders.services would write them, then saved
in bulk.

Through the services, the demo's two months of work on 300 orders is some 1,300
transactions, each with its domain event dispatched on its own, and takes half a
minute. An `OrderDraft` holds one order's row, lines and events in memory and
changes them as the service of the same name does (the same fields, the same event
rows and data), stamped at the moment the step "happened"; `drafts_save` writes
every draft in three INSERTs. `steps` keeps each call, so a test can play the same
story through the services and compare (tests/orders/test_demo_drafts.py).

No domain event is sent and nothing is broadcast: the demo's past is written, not
lived. What the other apps make of it (system messages and notifications, invoices,
tracked parcels) their own demos write (demo.messaging, demo.invoices, ...).
"""

from dataclasses import dataclass, field
from datetime import datetime

from orders import state_machine
from orders.models import Order, OrderEvent, OrderLine
from orders.services import (
    assigned_event_note,
    changed_event_data,
    created_event_data,
    order_lines,
    order_row,
)
from performile.actors import Actor

Kind = OrderEvent.Kind


@dataclass
class OrderDraft:
    order: Order
    lines: list[OrderLine]
    events: list[OrderEvent] = field(default_factory=list)
    # (service name, when, keyword arguments) of every step, in order.
    steps: list[tuple[str, datetime, dict]] = field(default_factory=list)

    @classmethod
    def create(cls, *, at: datetime, **values) -> "OrderDraft":
        """As `order_create(**values)` at `at`; demo actors are users or None."""
        values = {"actor": None, "actor_label": "", **values}
        fields = dict(values)
        store, actor = fields.pop("store"), fields.pop("actor")
        label, lines = fields.pop("actor_label"), fields.pop("lines")
        fields.setdefault("currency", store.currency)
        order = order_row(store=store, at=at, user=actor, **fields)
        draft = cls(order=order, lines=order_lines(order, lines))
        draft.steps.append(("order_create", at, values))
        draft._event(
            at,
            Kind.CREATED,
            actor,
            label,
            to_status=order.status,
            data=created_event_data(order),
        )
        return draft

    def assign(self, *, at: datetime, actor: Actor, **assignees) -> None:
        """As `order_assign`."""
        self.steps.append(("order_assign", at, {"actor": actor, **assignees}))
        before = {name: getattr(self.order, f"{name}_id") for name in assignees}
        for name, user in assignees.items():
            setattr(self.order, name, user)
        self._touch(at, actor)
        self._event(
            at,
            Kind.ASSIGNED,
            actor,
            note=assigned_event_note(assignees),
            data={"before": before},
        )

    def update(self, *, at: datetime, actor: Actor, note: str = "", **values) -> None:
        """As `order_update`."""
        self.steps.append(
            ("order_update", at, {"actor": actor, "note": note, **values})
        )
        changes = self._set(values)
        if changes:
            self._touch(at, actor)
            tracking_added = "tracking_number" in changes and self.order.tracking_number
            kind = Kind.TRACKING if tracking_added else Kind.UPDATED
            self._event(at, kind, actor, note=note, data=changed_event_data(changes))

    def record_tracking(
        self, *, at: datetime, actor_label: str, note: str = "", **tracking
    ) -> None:
        """As `order_record_tracking`, by a courier (no user)."""
        self.steps.append(
            (
                "order_record_tracking",
                at,
                {"actor_label": actor_label, "note": note, **tracking},
            )
        )
        changes = self._set(tracking)
        if changes:
            self._touch(at, None)
            self._event(
                at,
                Kind.TRACKING,
                None,
                actor_label,
                note=note,
                data=changed_event_data(changes),
            )

    def change_status(
        self,
        *,
        at: datetime,
        to: str,
        actor: Actor,
        actor_label: str = "",
        note: str = "",
    ) -> None:
        """As `order_change_status`."""
        self.steps.append(
            (
                "order_change_status",
                at,
                {"to": to, "actor": actor, "actor_label": actor_label, "note": note},
            )
        )
        from_status = self.order.status
        state_machine.check_transition(from_status, to)
        self.order.status = to
        self._touch(at, actor)
        self._event(
            at,
            Kind.STATUS_CHANGED,
            actor,
            actor_label,
            from_status=from_status,
            to_status=to,
            note=note.strip(),
        )

    def _set(self, values: dict) -> dict:
        """Set the values that differ; their former values by name."""
        changes = {
            name: getattr(self.order, name)
            for name, value in values.items()
            if getattr(self.order, name) != value
        }
        for name in changes:
            setattr(self.order, name, values[name])
        return changes

    def _touch(self, at: datetime, actor: Actor) -> None:
        self.order.updated_at = at
        self.order.updated_by = actor

    def _event(self, at, kind, actor: Actor, actor_label="", **fields) -> None:
        self.events.append(
            OrderEvent(
                order=self.order,
                kind=kind,
                actor=actor,
                actor_label=actor_label,
                created_at=at,
                **fields,
            )
        )


def drafts_save(drafts: list[OrderDraft]) -> list[Order]:
    """Every draft's order, lines and events, in one INSERT each."""
    orders = Order.objects.bulk_create(draft.order for draft in drafts)
    for draft in drafts:
        for row in (*draft.lines, *draft.events):
            row.order = draft.order  # sets order_id, now that the order has one
    OrderLine.objects.bulk_create(line for draft in drafts for line in draft.lines)
    OrderEvent.objects.bulk_create(event for draft in drafts for event in draft.events)
    return orders
