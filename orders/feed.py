"""The change feed: what changed on the orders a user may see, after a cursor.

Every change of an order writes an OrderEvent in the same transaction, and every
OrderEvent carries the id of the transaction that wrote it. A cursor is a position
(transaction id, event id). The feed only hands out events of transactions older
than every transaction still running in this database; a transaction that
commits late therefore always lands after any cursor a client already holds. The
feed is monotonic without a lock on the writers: a long transaction delays it, it
never makes it skip. Clients read it after every reconnect and while polling.
"""

from dataclasses import dataclass

from django.db import connection
from django.db.models import Q

from orders.models import Order, OrderEvent
from orders.selectors import visible_orders
from performile.errors import ApplicationError

PAGE_SIZE = 200
BIGINT_MAX = 2**63 - 1


@dataclass(frozen=True, order=True)
class Cursor:
    txid: int
    event_id: int

    def __str__(self) -> str:
        return f"{self.txid}.{self.event_id}"

    @classmethod
    def parse(cls, text: str) -> "Cursor":
        try:
            txid, event_id = (int(part) for part in text.split("."))
        except (AttributeError, ValueError):
            txid = event_id = -1
        # Both are PostgreSQL bigints: a larger number was never handed out, and
        # would leave the client at a position no change can ever reach.
        if not (0 <= txid <= BIGINT_MAX and 0 <= event_id <= BIGINT_MAX):
            raise ApplicationError(
                "The cursor is not one this feed handed out.",
                fields={"since": ["Use the 'next' value of a previous answer."]},
            )
        return cls(txid, event_id)


@dataclass(frozen=True)
class Page:
    events: list[OrderEvent]
    orders: list[Order]
    next: Cursor
    has_more: bool


# The oldest transaction still running in this database, else the next id to be
# handed out. Transaction ids are cluster-wide, but one running in another database
# (a second test worker, a pg_dump next door) never writes our events, so it must
# not hold the feed back. pg_stat_activity shows 32-bit xids; they are matched to the
# snapshot's 64-bit ones on their low 32 bits. Read in a statement of its own, before
# the events: a transaction that ends in between is then visible to that query.
HORIZON_SQL = """
WITH snapshot AS (SELECT pg_current_snapshot() AS s),
     here AS (
        SELECT backend_xid::text::bigint AS xid FROM pg_stat_activity
        WHERE datname = current_database() AND backend_xid IS NOT NULL
     )
SELECT COALESCE(
    (SELECT min(x::text::bigint) FROM snapshot, pg_snapshot_xip(s) AS x
     WHERE x::text::bigint % 4294967296 IN (SELECT xid FROM here)),
    (SELECT pg_snapshot_xmax(s)::text::bigint FROM snapshot)
)
"""


def _horizon() -> int:
    """Every transaction of this database with a smaller id has finished."""
    with connection.cursor() as cursor:
        # pg_stat_activity is read once per transaction unless told otherwise.
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(HORIZON_SQL)
        return cursor.fetchone()[0]


def current_cursor() -> Cursor:
    """Where a client starts: nothing before it is new to a page rendered now."""
    return Cursor(_horizon(), 0)


def order_changes(user, since: Cursor, *, limit: int = PAGE_SIZE) -> Page:
    """The user's order events after `since`, oldest first, with the current state
    of each order they touched (deleted orders included, so clients drop them).
    The conversations' changes are among them (OrderEvent.feed_kind names them)."""
    horizon = _horizon()
    visible = visible_orders(user, include_deleted=True)
    events = list(
        OrderEvent.feed_events.filter(order__in=visible)
        .filter(txid__gte=since.txid, txid__lt=horizon)
        .filter(Q(txid__gt=since.txid) | Q(id__gt=since.event_id))
        .order_by("txid", "id")
        .only("id", "txid", "order_id", "kind", "data", "created_at")[: limit + 1]
    )
    has_more = len(events) > limit
    events = events[:limit]
    if has_more:
        next_cursor = Cursor(events[-1].txid, events[-1].id)
    else:
        last = Cursor(events[-1].txid, events[-1].id) if events else since
        next_cursor = max(last, Cursor(horizon, 0))
    order_ids = {event.order_id for event in events}
    orders = list(
        Order.objects.filter(pk__in=order_ids)
        .select_related("store", "merchant", "customer")
        .order_by("id")
    )
    return Page(events=events, orders=orders, next=next_cursor, has_more=has_more)
