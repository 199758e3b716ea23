"""The announcements of a past written in bulk: the demo's two months of orders.

Live, each status change is answered once it commits (messaging.receivers): a
system message in the order's thread and the customer's notification
(`order_announce_status_change`). The demo's orders are written at once, without
their domain events (demo.orders.draft); `status_changes_announce` writes what those
answers would have been, each at the time of its change, in a few INSERTs: the
threads, the system messages, and the notifications recorded as sent (as the outbox
records them within `recording_history()`).
"""

from collections import Counter, defaultdict

from django.db.models import QuerySet

from messaging.models import Message, Thread
from messaging.notifications.customers import (
    STATUS_WORDING,
    TOLD_BY_SHIPMENT,
    notification_message,
    notification_preference,
    notification_routes,
    status_change_text,
    status_notice,
)
from messaging.services.common import clean_body
from orders.models import Order, OrderEvent
from performile import outbox

Channel = Message.Channel


def status_changes_announce(*, orders: QuerySet[Order]) -> int:
    """The system messages and notifications of the status changes of those of
    `orders` that have no thread yet; how many messages it wrote."""
    orders = {
        order.pk: order
        for order in orders.filter(thread__isnull=True).select_related(
            "store", "customer"
        )
    }
    changes = defaultdict(list)
    for event in OrderEvent.objects.filter(
        order_id__in=orders, kind=OrderEvent.Kind.STATUS_CHANGED
    ).order_by("created_at", "pk"):
        changes[event.order_id].append(event)
    threads = _threads_create({pk: orders[pk] for pk in changes}, changes)
    shipped = set(
        Order.objects.filter(pk__in=changes, shipments__isnull=False).values_list(
            "pk", flat=True
        )
    )
    routes = _Routes()
    messages, notifications = [], []
    for order_id, events in changes.items():
        thread, order = threads[order_id], orders[order_id]
        seen = Counter()
        for event in events:
            seen[event.to_status] += 1
            messages.append(_system_message(thread, event))
            if seen[event.to_status] > 1 or event.to_status not in STATUS_WORDING:
                continue  # back from on hold, or in review again: nothing new
            if event.to_status in TOLD_BY_SHIPMENT and order_id in shipped:
                continue
            notice = status_notice(order, event.to_status)
            notifications += [
                (event.created_at, notification_message(order, thread, *route, notice))
                for route in routes.of(order.customer, notice.group)
            ]
    Message.objects.bulk_create(messages)
    outbox.history_write(notifications)
    return len(messages)


def _threads_create(orders: dict, changes: dict) -> dict:
    """A thread for each order, started with its first status change."""
    threads = Thread.objects.bulk_create(
        Thread(
            order=order,
            merchant_id=order.merchant_id,
            store=order.store,
            created_at=changes[pk][0].created_at,
        )
        for pk, order in orders.items()
    )
    return {thread.order_id: thread for thread in threads}


def _system_message(thread: Thread, event: OrderEvent) -> Message:
    return Message(
        thread=thread,
        merchant_id=thread.merchant_id,
        channel=Channel.SYSTEM,
        direction=Message.Direction.SYSTEM,
        body=clean_body(status_change_text(event.from_status, event.to_status)),
        created_at=event.created_at,
    )


class _Routes:
    """Each customer's (channel, recipient) pairs for a notification group, looked
    up once per customer (customer_notify's rules)."""

    def __init__(self):
        self.found = {}

    def of(self, customer, group: str) -> list[tuple[str, str]]:
        if customer is None:
            return []
        if customer.pk not in self.found:
            preference = notification_preference(customer=customer)
            self.found[customer.pk] = (
                preference,
                notification_routes(customer=customer, preference=preference),
            )
        preference, routes = self.found[customer.pk]
        return routes if getattr(preference, group) else []
