"""Apply recorded webshop deliveries (performile.inbound): the same reading as at
the door, then the orders services."""

import logging

from orders import webhooks
from orders.models import Source, Store
from orders.services import order_upsert_from_webshop, order_webshop_event
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
    logger.info(
        "order %s from %s",
        outcome,
        delivery.provider,
        extra={"store_id": store.pk, "order_id": order.pk, "status": order.status},
    )
    found = {"order_id": order.pk, "order_number": order.order_number}
    if outcome == "unchanged":
        return ignored("Nothing new: the order already says this, or newer.", **found)
    return applied(created=outcome == "created", **found)


for _provider in READERS:
    applier(_provider)(apply_webshop)
