"""Live updates: after commit, each changed order is broadcast once to the Channels
groups of the people who may see it (its store, its customer, its supplier).

Services call `order_changed` inside their transaction
(orders.services.common._event does it for every OrderEvent); the broadcast happens
once the transaction commits, one message per group whatever the number of open
tabs. The socket is a fast path only: the change feed (orders.feed) is the record,
so a message lost here is picked up by the client's next catch-up.
"""

import asyncio
import json
import logging
import os
import threading

from channels.layers import get_channel_layer
from django.core.serializers.json import DjangoJSONEncoder
from django.template.loader import render_to_string
from django.utils import timezone

from orders import table
from orders.models import Order
from orders.selectors import visible_order_scopes
from performile import outbox, redis_guard
from performile.transactions import after_commit

logger = logging.getLogger(__name__)

MESSAGE_TYPE = "order.changed"  # handled by OrdersConsumer.order_changed

# The row cells (templates/orders/_cell_<name>.html, data-cell="<name>") a live
# message carries rendered.
LIVE_CELLS = ("tracking", "status", "courier")

_pending = threading.local()


def store_group(store_id: int) -> str:
    return f"orders.store.{store_id}"


def customer_group(customer_id: int) -> str:
    return f"orders.customer.{customer_id}"


def supplier_group(merchant_id: int, user_id: int) -> str:
    return f"orders.supplier.{merchant_id}.{user_id}"


def groups_for(user) -> list[str]:
    """The groups whose orders `visible_orders(user)` allows, and no other."""
    scopes = visible_order_scopes(user)
    return sorted(
        [store_group(pk) for pk in scopes.store_ids]
        + [supplier_group(pk, user.pk) for pk in scopes.supplier_merchant_ids]
        + [customer_group(pk) for pk in scopes.customer_ids]
    )


def order_changed(order_id: int, kind: str, *, row_changed: bool = True) -> None:
    """Broadcast the order after the current transaction commits (at once outside
    one). Several changes of one order in one transaction make one broadcast.
    `row_changed=False`: nothing a list row shows has changed (a new message), so
    the broadcast carries no re-rendered cells. A past being written (the demo,
    `outbox.recording_history()`) is not broadcast: open views catch up through the
    change feed."""
    if outbox.is_recording_history():
        return
    batch = getattr(_pending, "batch", None)
    if batch is None:
        batch = _pending.batch = {}
        _pending.rows = set()
    batch.setdefault(order_id, []).append(kind)
    if row_changed:
        _pending.rows.add(order_id)
    # Every call registers the flush; the first to run takes the whole batch and
    # the others find it empty. A batch left by a rolled-back transaction is sent
    # with the next one: a broadcast of an order's current state is harmless.
    after_commit(_flush)


def _flush() -> None:
    batch = getattr(_pending, "batch", None)
    rows = getattr(_pending, "rows", None)
    _pending.batch = _pending.rows = None
    if batch:
        broadcast(batch, rows_changed=rows)


def broadcast(
    kinds_by_order: dict[int, list[str]], *, rows_changed: set[int] | None = None
) -> None:
    """`rows_changed`: the orders whose list row must be re-rendered (all when
    None); the others are sent with empty cells."""
    layer = get_channel_layer()
    if layer is None:
        return
    orders = live_orders(list(kinds_by_order))
    sends = []
    for order in orders:
        kinds = sorted(set(kinds_by_order[order.pk]))
        merchant_view = _layer_message(
            message(
                order,
                kinds,
                row_changed=rows_changed is None or order.pk in rows_changed,
            )
        )
        sends.append((store_group(order.store_id), merchant_view))
        if order.supplier_id:
            sends.append(
                (supplier_group(order.merchant_id, order.supplier_id), merchant_view)
            )
        if order.customer_id:
            customer_view = _layer_message(
                message(order, kinds, with_cells=False, staff=False)
            )
            sends.append((customer_group(order.customer_id), customer_view))
    if sends:
        _sender.submit(layer, sends)


class _Sender:
    """One event loop per process, in a thread of its own, that sends to the
    channel layer. Its Redis connections stay open between broadcasts (a fresh
    loop per broadcast costs a new connection each time), and the request that
    made the change does not wait for the send."""

    def __init__(self):
        self._lock = threading.Lock()
        self._loop = None
        self._pid = None

    def submit(self, layer, sends) -> None:
        if redis_guard.channels.is_open:
            return  # Redis is away: clients catch up from the change feed
        future = asyncio.run_coroutine_threadsafe(
            _send_all(layer, sends), self._running_loop()
        )
        future.add_done_callback(_log_failure)

    def _running_loop(self):
        with self._lock:
            if self._loop is None or self._pid != os.getpid():  # new, or forked
                self._loop = asyncio.new_event_loop()
                self._pid = os.getpid()
                threading.Thread(
                    target=self._loop.run_forever, name="live-broadcast", daemon=True
                ).start()
            return self._loop


async def _send_all(layer, sends) -> None:
    # A stalled Redis must not pile broadcasts up in this loop.
    async with asyncio.timeout(redis_guard.SOCKET_TIMEOUT * len(sends)):
        for group, message in sends:
            await layer.group_send(group, {**message, "group": group})


def _log_failure(future) -> None:
    if future.cancelled() or future.exception() is None:
        return
    # The feed still has the change; clients catch up from it.
    exc = future.exception()
    if isinstance(exc, (*redis_guard.REDIS_ERRORS, asyncio.TimeoutError)):
        redis_guard.channels.trip(exc)
    else:
        logger.error("live broadcast failed", exc_info=exc)


_sender = _Sender()


def _layer_message(data: dict) -> dict:
    # Serialized once here, sent as is by every consumer of the group.
    return {"type": MESSAGE_TYPE, "text": json.dumps(data, cls=DjangoJSONEncoder)}


def live_orders(ids: list[int]):
    """The orders a broadcast tells of, with what their cells show: the status
    cell's reasons, unpaid and waiting included, as on the page."""
    return (
        Order.objects.select_related("store", "merchant", "customer")
        .filter(pk__in=ids)
        .annotate(**table.reason_dates())
    )


def message(
    order: Order,
    kinds: list[str],
    *,
    with_cells: bool = True,
    row_changed=True,
    staff: bool = True,
) -> dict:
    data = {"type": "order", "kinds": kinds, "order": order_state(order, staff=staff)}
    if with_cells:
        data["cells"] = order_cells(order) if row_changed else {}
    return data


def order_state(order: Order, *, staff: bool = True) -> dict:
    """What a client needs to update its view of the order and to tell what
    changed (toasts compare the old state with this one). Every link a row shows
    is in it: the row menu takes its "Track shipment" and "Download label" from
    here, and hides an item whose link is missing. `staff=False` (the customer's
    view) leaves out the label, which only the merchant's team may download."""
    if order.deleted_at is not None:
        return {"id": order.pk, "order_number": order.order_number, "deleted": True}
    label, tone = order.badge
    state = {
        "id": order.pk,
        "order_number": order.order_number,
        "store_id": order.store_id,
        "status": order.status,
        "status_label": order.get_status_display(),
        "badge": {"label": label, "tone": tone},
        "tracking_number": order.tracking_number,
        "courier": order.courier,
        "tracking_url": order.tracking_url,
        "tracking_status": order.tracking_status,
        "tracking_event": order.tracking_event,
        "tracking_event_at": _iso(order.tracking_event_at),
        "estimated_delivery": _iso(order.estimated_delivery),
        "delivery_progress": order.delivery_progress,
        "flags": order.flags(),
        "updated_at": _iso(order.updated_at),
        "deleted": False,
    }
    if staff:
        state["label_url"] = order.label_url
    return state


def order_cells(order: Order) -> dict:
    """The Orders view's live cells, rendered once for every tab of the store (in
    the merchant's time zone, as the page itself shows times): tracking, status
    and courier (a booking, one by one or in bulk, fills all three)."""
    if order.deleted_at is not None:
        return {}
    with timezone.override(order.merchant.zone):
        return {
            name: render_to_string(f"orders/_cell_{name}.html", {"order": order})
            for name in LIVE_CELLS
        }


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None
