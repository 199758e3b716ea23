"""Order numbers: what people read and type, unique per store, never the key.

Orders created without a number (manual, API, Discord) get the store's next one
from its sequence. A webshop order whose number another order already has keeps
the number with a suffix (`#1001-2`), so both stay readable and neither is lost.
"""

from django.db import connection

from orders.models import Order, Store

MAX_LENGTH = Order._meta.get_field("order_number").max_length


def next_order_number(store: Store) -> str:
    """The store's next free number. The UPDATE locks the store's row until the
    transaction ends, so concurrent orders of one store get distinct numbers."""
    while True:
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE orders_store SET last_order_number = last_order_number + 1"
                " WHERE id = %s RETURNING last_order_number",
                [store.pk],
            )
            (number,) = cursor.fetchone()
        candidate = str(number)
        if not Order.objects.filter(store=store, order_number=candidate).exists():
            return candidate


def free_variant(store: Store, number: str) -> str:
    """`number` with the first free suffix: #1001-2, #1001-3, ..."""
    taken = set(
        Order.objects.filter(
            store=store, order_number__startswith=number[: MAX_LENGTH - 4]
        ).values_list("order_number", flat=True)
    )
    suffix = 2
    while True:
        tail = f"-{suffix}"
        candidate = number[: MAX_LENGTH - len(tail)] + tail
        if candidate not in taken:
            return candidate
        suffix += 1
