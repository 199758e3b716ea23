"""Every write to orders, one function per use case, in a transaction, with the actor.

`order_change_status` is the only way an order's status changes.
"""

import logging
from datetime import date
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from orders import live, signals, state_machine
from orders.customers import Identity, customer_for_order
from orders.ingestion.incoming import IncomingCustomer, IncomingOrder
from orders.models import (
    Customer,
    Membership,
    Order,
    OrderEvent,
    OrderLine,
    Source,
    Store,
)
from orders.numbering import free_variant, next_order_number
from orders.selectors import (
    merchant_is_managed_by,
    order_is_managed_by,
    order_is_workable_by,
)
from orders.state_machine import OrderStatus
from performile.errors import ApplicationError, Conflict, NotAllowed, RetryLater
from performile.events import send_on_commit

logger = logging.getLogger(__name__)

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
# Statuses an order may be created in.
INITIAL_STATUSES = (
    OrderStatus.DRAFT,
    OrderStatus.PENDING,
    OrderStatus.PAYMENT_VERIFIED,
)


def _actor_user(actor):
    return (
        actor
        if actor is not None and getattr(actor, "is_authenticated", False)
        else None
    )


def _event(order, kind, *, actor=None, actor_label="", **fields) -> OrderEvent:
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


# --- Customers ---------------------------------------------------------------


def customer_get_or_create(
    *,
    merchant_id: int,
    name: str = "",
    email: str = "",
    phone: str = "",
    discord_user_id: str = "",
) -> Customer | None:
    """The merchant's customer by the rules of orders.customers (docs/customers.md);
    new if none. None when nothing identifies anyone."""
    return customer_for_order(
        merchant_id,
        Identity.clean(
            name=name, email=email, phone=phone, discord_user_id=discord_user_id
        ),
    )


# --- Orders ------------------------------------------------------------------


class OrderNumberTaken(Conflict):
    code = "order_number_taken"


class OrderAlreadyImported(Conflict):
    """The store has an order with this source and external id already."""

    code = "order_already_imported"


def order_create(
    *,
    store: Store,
    order_number: str = "",
    actor=None,
    actor_label: str = "",
    source: str = Source.MANUAL,
    status: str = OrderStatus.PENDING,
    customer: Customer | None = None,
    lines=(),
    external_id: str = "",
    external_updated_at=None,
    placed_at=None,
    **fields,
) -> Order:
    """A new order in `store`, numbered from the store's sequence when no number is
    given. Raises OrderNumberTaken when the number is taken there, and
    OrderAlreadyImported when the source's order is there already."""
    order_number = (order_number or "").strip()
    if status not in INITIAL_STATUSES:
        raise ApplicationError(
            f"A new order cannot start as {state_machine.label(status)}."
        )
    if actor is not None:
        _ensure_may_create(actor, store)
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"Unknown order fields: {sorted(unknown)}")
    fields.setdefault("currency", store.currency)
    now = timezone.now()
    user = _actor_user(actor)
    try:
        with transaction.atomic():
            order_number = order_number or next_order_number(store)
            order = order_row(
                store=store,
                at=now,
                user=user,
                order_number=order_number,
                source=source,
                status=status,
                customer=customer,
                external_id=external_id,
                external_updated_at=external_updated_at,
                placed_at=placed_at or now,
                **fields,
            )
            order.save(force_insert=True)
    except IntegrityError as exc:
        if _violated(exc) == "order_external_unique":
            raise OrderAlreadyImported(
                f"{store.name} has {source} order {external_id} already."
            ) from exc
        raise OrderNumberTaken(
            f"Order {order_number} already exists in {store.name}.",
            fields={"order_number": ["Already used in this store."]},
        ) from exc
    OrderLine.objects.bulk_create(order_lines(order, lines))
    _event(
        order,
        OrderEvent.Kind.CREATED,
        actor=actor,
        actor_label=actor_label,
        to_status=status,
        data=created_event_data(order),
    )
    send_on_commit(
        signals.order_created,
        Order,
        order_id=order.pk,
        source=source,
        tracking_number=order.tracking_number,
    )
    return order


def order_row(*, store: Store, at, user, **fields) -> Order:
    """A new order of `store` made by `user` (None: a system) at `at`, unsaved."""
    return Order(
        merchant_id=store.merchant_id,
        store=store,
        created_at=at,
        updated_at=at,
        created_by=user,
        updated_by=user,
        **fields,
    )


def order_lines(order: Order, lines) -> list[OrderLine]:
    """Unsaved lines of `order` from IncomingLine-shaped `lines`."""
    return [
        OrderLine(
            order=order,
            kind=line.kind,
            sku=line.sku,
            title=line.title,
            quantity=line.quantity,
            unit_price=line.unit_price,
            tax_rate=line.tax_rate,
        )
        for line in lines
    ]


def created_event_data(order: Order) -> dict:
    if order.tracking_number:
        return {"source": order.source, "tracking_number": order.tracking_number}
    return {"source": order.source}


def _violated(exc: IntegrityError) -> str:
    diag = getattr(exc.__cause__, "diag", None)
    return getattr(diag, "constraint_name", "") or ""


def order_create_manual(
    *, store: Store, actor, customer: dict | None = None, **values
) -> Order:
    """An order typed in by a person (Orders view or API): the customer, found or
    created from `customer` (name, email, phone), and the order, or neither."""
    with transaction.atomic():
        found = None
        if customer and (customer.get("email") or customer.get("phone")):
            found = customer_get_or_create(merchant_id=store.merchant_id, **customer)
        return order_create(
            store=store, actor=actor, source=Source.MANUAL, customer=found, **values
        )


def order_change_status(
    *, order: Order, to: str, actor=None, actor_label: str = "", note: str = ""
) -> Order:
    """Move the order to `to` if the state machine allows it, with an event."""
    with transaction.atomic():
        locked = Order.objects.select_for_update().get(pk=order.pk)
        _ensure_may_work_on(actor, locked)
        from_status = locked.status
        state_machine.check_transition(from_status, to)
        locked.status = to
        locked.updated_at = timezone.now()
        locked.updated_by = _actor_user(actor)
        locked.save(update_fields=["status", "updated_at", "updated_by"])
        _event(
            locked,
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
    _copy_fields(locked, order, ["status", "updated_at", "updated_by"])
    return order


def order_update(
    *, order: Order, actor=None, actor_label: str = "", note: str = "", **values
) -> list[str]:
    """Change editable fields; returns the names of those that changed."""
    unknown = set(values) - set(EDITABLE_FIELDS)
    if unknown:
        raise ApplicationError(
            f"These fields cannot be edited: {', '.join(sorted(unknown))}."
        )
    with transaction.atomic():
        locked = Order.objects.select_for_update().get(pk=order.pk)
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
        locked.updated_at = timezone.now()
        locked.updated_by = _actor_user(actor)
        locked.save(update_fields=[*changes, "updated_at", "updated_by"])
        tracking_added = "tracking_number" in changes and locked.tracking_number
        _event(
            locked,
            OrderEvent.Kind.TRACKING if tracking_added else OrderEvent.Kind.UPDATED,
            actor=actor,
            actor_label=actor_label,
            note=note,
            data=changed_event_data({n: old for n, (old, _new) in changes.items()}),
        )
    send_on_commit(
        signals.order_updated, Order, order_id=locked.pk, changed=list(changes)
    )
    _copy_fields(locked, order, [*changes, "updated_at", "updated_by"])
    return list(changes)


def order_record_tracking(
    *,
    order: Order,
    actor=None,
    actor_label: str = "",
    note: str = "",
    **tracking,
) -> list[str]:
    """Record the parcel's tracking on its order (number, courier, link, normalized
    status, ETA), as the shipments app learns it. Returns the changed field names."""
    unknown = set(tracking) - set(TRACKING_FIELDS)
    if unknown:
        raise TypeError(f"Unknown tracking fields: {sorted(unknown)}")
    with transaction.atomic():
        locked = Order.objects.select_for_update().get(pk=order.pk)
        changes = {
            name: getattr(locked, name)
            for name, value in tracking.items()
            if getattr(locked, name) != value
        }
        if not changes:
            return []
        for name in changes:
            setattr(locked, name, tracking[name])
        locked.updated_at = timezone.now()
        locked.updated_by = _actor_user(actor)
        locked.save(update_fields=[*changes, "updated_at", "updated_by"])
        _event(
            locked,
            OrderEvent.Kind.TRACKING,
            actor=actor,
            actor_label=actor_label,
            note=note,
            data=changed_event_data(changes),
        )
    send_on_commit(
        signals.order_updated, Order, order_id=locked.pk, changed=list(changes)
    )
    _copy_fields(locked, order, [*changes, "updated_at", "updated_by"])
    return list(changes)


def order_log(
    *, order: Order, note: str, actor=None, actor_label: str = "", data=None
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
    actor=None,
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


ASSIGNEE_ROLES = {
    "assigned_staff": (Membership.Role.STAFF, Membership.Role.ADMIN),
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


def order_assign(*, order: Order, actor, actor_label: str = "", **assignees) -> Order:
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
    with transaction.atomic():
        locked = Order.objects.select_for_update().get(pk=order.pk)
        before = {name: getattr(locked, f"{name}_id") for name in assignees}
        for name, user in assignees.items():
            setattr(locked, name, user)
        locked.updated_at = timezone.now()
        locked.updated_by = _actor_user(actor)
        locked.save(update_fields=[*assignees, "updated_at", "updated_by"])
        _event(
            locked,
            OrderEvent.Kind.ASSIGNED,
            actor=actor,
            actor_label=actor_label,
            note=assigned_event_note(assignees),
            data={"before": before},
        )
    send_on_commit(
        signals.order_updated, Order, order_id=locked.pk, changed=list(assignees)
    )
    _copy_fields(locked, order, [*assignees, "updated_at", "updated_by"])
    return order


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


def _ensure_may_work_on(actor, order: Order) -> None:
    """A person must be allowed to work on the order; systems (actor None) are."""
    user = _actor_user(actor)
    if user is not None and not order_is_workable_by(user, order):
        raise NotAllowed("You cannot change this order.")


def _ensure_may_create(actor, store: Store) -> None:
    if merchant_is_managed_by(actor, store.merchant_id):
        return
    if Membership.objects.filter(
        user=actor, role=Membership.Role.RESELLER, stores=store
    ).exists():
        return
    raise NotAllowed("You cannot create orders in this store.")


def _copy_fields(source: Order, target: Order, names) -> None:
    if source is not target:
        for name in names:
            setattr(target, name, getattr(source, name))


def changed_event_data(previous: dict) -> dict:
    """An UPDATED or TRACKING event's data: the changed fields' former values."""
    return {"changed": {name: _jsonable(old) for name, old in previous.items()}}


def assigned_event_note(assignees: dict) -> str:
    return ", ".join(
        f"{name.replace('_', ' ')}: {user or 'nobody'}"
        for name, user in assignees.items()
    )


def _jsonable(value):
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):  # datetimes too
        return value.isoformat()
    return value


# --- Webshop ingestion --------------------------------------------------------


def order_upsert_from_webshop(
    *, store: Store, incoming: IncomingOrder, actor_label: str
) -> tuple[Order, str]:
    """Create the order a webshop announced, or bring it up to date.

    An order is the same order only when it has the same store, source and external
    id (the order number is what people read, not the key). Returns (order,
    outcome), the outcome "created", "updated" or "unchanged". Stale updates (older than what we hold) change nothing. A status the
    state machine does not allow from where the order is now is skipped and logged;
    the other fields are still updated.
    """
    with transaction.atomic():
        existing = _find_webshop_order(store, incoming)
        if existing is None:
            # No savepoint of its own: order_create rolls back just its INSERT.
            try:
                order = _order_create_from_webshop(store, incoming, actor_label)
                _money_changed(order, incoming.money, incoming.source)
                return order, "created"
            except OrderAlreadyImported:
                # Another delivery created it a moment ago: apply ours as an update.
                existing = _find_webshop_order(store, incoming)
                if existing is None:
                    raise
        changed = _order_update_from_webshop(existing, incoming, actor_label)
        _money_changed(existing, incoming.money, incoming.source)
        return existing, "updated" if changed else "unchanged"


def _find_webshop_order(store: Store, incoming: IncomingOrder) -> Order | None:
    """By (store, source, external id); an order of the same source whose id we
    never learned, with the same number, is that order too."""
    external_id = incoming.external_id or incoming.order_number
    candidates = Order.objects.select_for_update().filter(
        Q(external_id=external_id)
        | Q(external_id="", order_number=incoming.order_number),
        store=store,
        source=incoming.source,
    )[:2]
    return min(
        candidates, key=lambda order: order.external_id != external_id, default=None
    )


def webshop_identity(customer: IncomingCustomer | None) -> Identity:
    if customer is None:
        return Identity()
    return Identity.clean(
        name=customer.name, email=customer.email, phone=customer.phone
    )


def _order_create_from_webshop(store, incoming: IncomingOrder, actor_label) -> Order:
    target = incoming.status or OrderStatus.PENDING
    initial = target if target in INITIAL_STATUSES else OrderStatus.PENDING
    values = {
        "store": store,
        "actor_label": actor_label,
        "source": incoming.source,
        "status": initial,
        "customer": customer_for_order(
            store.merchant_id, webshop_identity(incoming.customer)
        ),
        "lines": incoming.lines,
        "external_id": incoming.external_id or incoming.order_number,
        "external_updated_at": incoming.updated_at,
        "placed_at": incoming.placed_at,
        **{
            name: getattr(incoming, name)
            for name in (*IncomingOrder.UPDATABLE, "service", "package")
        },
    }
    try:
        order = order_create(order_number=incoming.order_number, **values)
    except OrderNumberTaken:
        order = _order_create_renumbered(incoming, values)
    if target != initial:
        webshop_move_towards(order, incoming, actor_label)
    return order


def _order_create_renumbered(incoming: IncomingOrder, values: dict) -> Order:
    """Another order has this number: keep this one as its own order under a free
    variant of the number, flagged for staff. The other order is never touched.
    (A variant taken in the meantime by a concurrent delivery: the next one.)"""
    store = values["store"]
    taken_by = Order.objects.get(store=store, order_number=incoming.order_number)
    for _attempt in range(3):
        number = free_variant(store, incoming.order_number)
        reason = (
            f"Number {incoming.order_number} was already taken by another order"
            f" ({taken_by.get_source_display()}"
            f"{', id ' + taken_by.external_id if taken_by.external_id else ''}),"
            f" so this {Source(incoming.source).label} order"
            f" (id {incoming.external_id}) is {number}."
        )[:300]
        try:
            order = order_create(order_number=number, review_reason=reason, **values)
            break
        except OrderNumberTaken:
            continue
    else:
        raise OrderNumberTaken(f"No free variant of {incoming.order_number}.")
    order_log(
        order=order,
        note=reason,
        actor_label=values["actor_label"],
        data={"number_taken_by": taken_by.pk, "asked": incoming.order_number},
    )
    logger.warning(
        "order number %s taken in store %s; created as %s",
        incoming.order_number,
        store.pk,
        number,
        extra={"order_id": order.pk, "taken_by": taken_by.pk},
    )
    return order


def _money_changed(order: Order, money, source: str) -> None:
    """The webshop's payments, refunds and cancellation, for invoices to record
    once committed (idempotently, by the webshop's own ids)."""
    if money is not None:
        send_on_commit(
            signals.order_webshop_money,
            Order,
            order_id=order.pk,
            money=money,
            source=source,
        )


def order_webshop_event(
    *,
    store: Store,
    source: str,
    external_id: str,
    actor_label: str,
    tracking: dict | None = None,
    money=None,
) -> Order:
    """A webshop event about one of its orders, named by the shop's id: a
    fulfillment's tracking, a refund. RetryLater while the order has not arrived."""
    with transaction.atomic():
        order = (
            Order.objects.select_for_update()
            .filter(store=store, source=source, external_id=external_id)
            .first()
        )
        if order is None:
            raise RetryLater(
                f"{Source(source).label} order {external_id} has not arrived yet."
            )
        tracking = {name: value for name, value in (tracking or {}).items() if value}
        if tracking:
            order_update(order=order, actor_label=actor_label, **tracking)
        _money_changed(order, money, source)
    return order


def _order_update_from_webshop(
    order: Order, incoming: IncomingOrder, actor_label
) -> bool:
    """Whether the order changed. An older version changes nothing; the same
    version again (a replay after a mapping fix) is applied, changing only what the
    new mapping reads differently."""
    if (
        incoming.updated_at
        and order.external_updated_at
        and incoming.updated_at < order.external_updated_at
    ):
        logger.info("stale update for order %s ignored", order.pk)
        return False
    values = {name: getattr(incoming, name) for name in IncomingOrder.UPDATABLE}
    # An update without tracking does not erase tracking we already have.
    for name in ("tracking_number", "courier", "tracking_url"):
        if not values[name]:
            values.pop(name)
    changed = bool(order_update(order=order, actor_label=actor_label, **values))
    if incoming.updated_at:
        Order.objects.filter(pk=order.pk).update(
            external_updated_at=incoming.updated_at
        )
        order.external_updated_at = incoming.updated_at
    if incoming.status and incoming.status != order.status:
        changed = webshop_move_towards(order, incoming, actor_label) or changed
    return changed


def webshop_move_towards(
    order: Order, incoming: IncomingOrder, actor_label: str
) -> bool:
    """To the webshop's status, with the shop's reason when it cancelled (which
    the cancelled order's invoice is settled with)."""
    target = incoming.status
    note = incoming.money.reason if incoming.money else ""
    if order.can_transition_to(target):
        order_change_status(order=order, to=target, actor_label=actor_label, note=note)
        return True
    logger.info(
        "order %s: webshop status %s not reachable from %s; kept",
        order.pk,
        target,
        order.status,
    )
    return False


def store_rotate_webhook_secret(*, store: Store, new_secret: str) -> Store:
    """Replace the secret; the old one stays valid for an hour
    (docs/providers.md#shopify)."""
    if new_secret == store.webhook_secret:
        return store
    store.previous_webhook_secret = store.webhook_secret
    store.webhook_secret = new_secret
    store.webhook_secret_rotated_at = timezone.now()
    store.save(
        update_fields=[
            "webhook_secret",
            "previous_webhook_secret",
            "webhook_secret_rotated_at",
        ]
    )
    return store
