"""Orders as webshops announce them: created or brought up to date, and the
shops' later events about them (tracking, refunds)."""

import logging

from django.db import transaction
from django.db.models import Q

from orders import signals
from orders.customers import customer_for_order
from orders.ingestion.incoming import IncomingOrder
from orders.models import Order, Source, Store
from orders.numbering import free_variant
from orders.services.common import INITIAL_STATUSES
from orders.services.create import (
    OrderAlreadyImported,
    OrderNumberTaken,
    order_create,
)
from orders.services.customers import webshop_identity
from orders.services.status import order_change_status, order_log, order_update
from orders.state_machine import OrderStatus
from performile.errors import RetryLater
from performile.events import send_on_commit

logger = logging.getLogger(__name__)


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
