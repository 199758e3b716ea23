"""New webshop orders in bulk: the appliers' set-based path (docs/inbound.md).

A batch of deliveries announcing orders we do not have yet becomes a handful of
statements whatever its size: the customers (orders.customers), the orders, their
lines, their CREATED events and their domain events, each in one INSERT. An order
whose webshop status is past where a new order may start is then moved there
through the state machine, as `order_upsert_from_webshop` would.

What has no shortcut is left to the caller, which applies it one delivery at a
time through `order_upsert_from_webshop`: an order we have already, a number that
is taken (renumbered and flagged there), an order without a number.
"""

from django.db.models import Q
from django.utils import timezone

from orders import live, signals
from orders.customers import customers_for_orders
from orders.ingestion.incoming import IncomingOrder
from orders.models import Order, OrderEvent, OrderLine, Store
from orders.services import (
    INITIAL_STATUSES,
    created_event_data,
    order_lines,
    webshop_identity,
    webshop_move_towards,
)
from orders.state_machine import OrderStatus
from performile.events import send_many_on_commit

CARRIED_FIELDS = (*IncomingOrder.UPDATABLE, "service", "package")


def orders_create_new_from_webshop(
    *, store: Store, incomings: list[IncomingOrder], actor_label: str
) -> list[Order | None]:
    """Create those of `incomings` that are new orders with a free number, in one
    go; None in the place of each of the others."""
    fresh = _new_with_free_number(store, incomings)
    if not fresh:
        return [None] * len(incomings)
    now = timezone.now()
    customers = customers_for_orders(
        store.merchant_id,
        [webshop_identity(incomings[index].customer) for index in fresh],
    )
    orders = Order.objects.bulk_create(
        _order(store, incomings[index], customer, now)
        for index, customer in zip(fresh, customers, strict=True)
    )
    OrderLine.objects.bulk_create(
        line
        for order, index in zip(orders, fresh, strict=True)
        for line in order_lines(order, incomings[index].lines)
    )
    OrderEvent.objects.bulk_create(
        OrderEvent(
            order=order,
            kind=OrderEvent.Kind.CREATED,
            actor_label=actor_label,
            to_status=order.status,
            data=created_event_data(order),
        )
        for order in orders
    )
    for order in orders:
        live.order_changed(order.pk, OrderEvent.Kind.CREATED)
    send_many_on_commit(
        signals.order_created,
        Order,
        [
            {
                "order_id": order.pk,
                "source": order.source,
                "tracking_number": order.tracking_number,
            }
            for order in orders
        ],
    )
    created: list[Order | None] = [None] * len(incomings)
    for order, index in zip(orders, fresh, strict=True):
        if incomings[index].status not in (None, order.status):
            webshop_move_towards(order, incomings[index], actor_label)
        created[index] = order
    send_many_on_commit(
        signals.order_webshop_money,
        Order,
        [
            {
                "order_id": order.pk,
                "money": incomings[index].money,
                "source": order.source,
            }
            for order, index in zip(orders, fresh, strict=True)
            if incomings[index].money is not None
        ],
    )
    return created


def _new_with_free_number(store: Store, incomings: list[IncomingOrder]) -> list[int]:
    """The indexes of the orders we do not have, whose number nobody uses: the
    first of each external id and of each number in the batch."""
    numbers = {incoming.order_number for incoming in incomings}
    external_ids = {_external_id(incoming) for incoming in incomings}
    sources = {incoming.source for incoming in incomings}
    taken = set()
    for number, source, external_id in (
        Order.objects.filter(store=store)
        .filter(
            Q(order_number__in=numbers)
            | Q(source__in=sources, external_id__in=external_ids)
        )
        .values_list("order_number", "source", "external_id")
    ):
        taken.update({("number", number), (source, external_id)})
    fresh = []
    for index, incoming in enumerate(incomings):
        names = {
            ("number", incoming.order_number),
            (incoming.source, _external_id(incoming)),
        }
        if incoming.order_number and not names & taken:
            fresh.append(index)
        taken |= names
    return fresh


def _external_id(incoming: IncomingOrder) -> str:
    return incoming.external_id or incoming.order_number


def _order(store: Store, incoming: IncomingOrder, customer, now) -> Order:
    target = incoming.status or OrderStatus.PENDING
    return Order(
        merchant_id=store.merchant_id,
        store=store,
        order_number=incoming.order_number,
        source=incoming.source,
        status=target if target in INITIAL_STATUSES else OrderStatus.PENDING,
        customer=customer,
        external_id=_external_id(incoming),
        external_updated_at=incoming.updated_at,
        placed_at=incoming.placed_at or now,
        created_at=now,
        updated_at=now,
        **{name: getattr(incoming, name) for name in CARRIED_FIELDS},
    )
