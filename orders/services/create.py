"""New orders: numbered, with their lines, the customer and the CREATED event."""

from django.db import IntegrityError, transaction
from django.utils import timezone

from orders import signals, state_machine
from orders.models import Customer, Order, OrderEvent, OrderLine, Source, Store
from orders.numbering import next_order_number
from orders.services.common import (
    EDITABLE_FIELDS,
    INITIAL_STATUSES,
    _actor_user,
    _ensure_may_create,
    _event,
)
from orders.services.customers import customer_get_or_create
from orders.state_machine import OrderStatus
from performile.actors import Actor
from performile.errors import ApplicationError, Conflict
from performile.events import send_on_commit


class OrderNumberTaken(Conflict):
    code = "order_number_taken"


class OrderAlreadyImported(Conflict):
    """The store has an order with this source and external id already."""

    code = "order_already_imported"


def order_create(
    *,
    store: Store,
    order_number: str = "",
    actor: Actor = None,
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
    *, store: Store, actor: Actor, customer: dict | None = None, **values
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
