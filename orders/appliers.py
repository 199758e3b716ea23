"""Apply recorded webshop deliveries (performile.inbound): the same reading as at
the door, then the orders services."""

import logging

from orders import webhooks
from orders.models import Source, Store
from orders.services import order_upsert_from_webshop, order_webshop_event
from orders.webshop_batch import orders_create_new_from_webshop
from performile import inbound
from performile.inbound import applied, applier, duplicate, first_time, ignored

logger = logging.getLogger(__name__)

READERS = {
    "shopify": (webhooks.shopify_event, Source.SHOPIFY, "Shopify"),
    "woocommerce": (webhooks.woocommerce_event, Source.WOOCOMMERCE, "WooCommerce"),
    "orders-api": (webhooks.generic_event, Source.API, None),
}


def apply_webshop(delivery, request):
    read, source, actor_label = READERS[delivery.provider]
    store = Store.objects.get(pk=delivery.store_id)
    event = read(request, store)
    if not first_time(delivery, delivery.provider, event.keys):
        return duplicate()
    actor_label = actor_label or store.name
    if event.incoming is None:
        order = order_webshop_event(
            store=store,
            source=source,
            external_id=event.external_id,
            actor_label=actor_label,
            **event.change,
        )
        return applied(order_id=order.pk, order_number=order.order_number)
    order, outcome = order_upsert_from_webshop(
        store=store, incoming=event.incoming, actor_label=actor_label
    )
    _log(outcome, delivery.provider, order)
    found = {"order_id": order.pk, "order_number": order.order_number}
    if outcome == "unchanged":
        return ignored("Nothing new: the order already says this, or newer.", **found)
    return applied(created=outcome == "created", **found)


def apply_webshop_batch(deliveries) -> list[inbound.Outcome]:
    """New orders in bulk (orders.webshop_batch); every other delivery after them,
    one by one, in order. Only the first delivery of an order in the batch can be
    one of the new ones, so an order's deliveries still apply in the order they
    came."""
    read, _source, actor_label = READERS[deliveries[0].provider]
    stores = Store.objects.in_bulk({delivery.store_id for delivery in deliveries})
    events = [
        read(inbound.stored_request(delivery), stores[delivery.store_id])
        for delivery in deliveries
    ]
    candidates = _first_of_their_order(deliveries, events)
    first = inbound.first_time_many(
        deliveries[0].provider,
        [deliveries[index] for index in candidates],
        [events[index].keys for index in candidates],
    )
    outcomes: dict[int, inbound.Outcome] = {}
    by_store: dict[int, list[int]] = {}
    for index, is_first in zip(candidates, first, strict=True):
        if not is_first:
            outcomes[index] = duplicate()
        elif events[index].incoming is not None:
            by_store.setdefault(deliveries[index].store_id, []).append(index)
    for store_id, indexes in by_store.items():
        store = stores[store_id]
        created = orders_create_new_from_webshop(
            store=store,
            incomings=[events[index].incoming for index in indexes],
            actor_label=actor_label or store.name,
        )
        for index, order in zip(indexes, created, strict=True):
            if order is not None:
                _log("created", deliveries[index].provider, order)
                outcomes[index] = applied(
                    created=True, order_id=order.pk, order_number=order.order_number
                )
    # The others have had nothing written for them yet; their keys are recorded
    # now by the row applier (a key of one already recorded reads as a replay).
    return [
        outcomes[index] if index in outcomes else inbound.apply_one(delivery)
        for index, delivery in enumerate(deliveries)
    ]


def _log(outcome: str, provider: str, order) -> None:
    logger.info(
        "order %s from %s",
        outcome,
        provider,
        extra={
            "store_id": order.store_id,
            "order_id": order.pk,
            "status": order.status,
        },
    )


def _first_of_their_order(deliveries, events) -> list[int]:
    """The indexes of the deliveries that are the first of their order in the
    batch and share no key with another."""
    seen_entities, key_count = set(), {}
    for event in events:
        for k in set(event.keys):
            key_count[k] = key_count.get(k, 0) + 1
    first = []
    for index, (delivery, event) in enumerate(zip(deliveries, events, strict=True)):
        if delivery.entity in seen_entities:
            continue
        seen_entities.add(delivery.entity)
        if all(key_count[k] == 1 for k in event.keys):
            first.append(index)
    return first


for _provider in READERS:
    applier(_provider)(apply_webshop)
    inbound.batch_applier(_provider)(apply_webshop_batch)
