"""The Orders table as CSV: the filtered list, every page of it, streamed in chunks
(`QuerySet.iterator`), so a large export holds neither the rows nor the file in
memory. Times in the zone given (the merchant's, as on the page): the rows are
written after the view has returned, outside its time zone override."""

import csv
import io
from collections.abc import Iterable, Iterator
from datetime import tzinfo

from django.utils import timezone

from orders import table
from orders.models import Order
from orders.tracking import TrackingStatus

COLUMNS = [
    "Order number",
    "Placed at",
    "Store",
    "Customer",
    "Customer email",
    "Status",
    "Payment",
    "Parcel",
    "Courier",
    "Tracking number",
    "Items",
    "Total",
    "Currency",
    "Action needed",
]
# A cell a spreadsheet would run as a formula starts with one of these.
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def orders_csv(orders: Iterable[Order], zone: tzinfo) -> Iterator[str]:
    with timezone.override(zone):
        yield from _csv(orders)


def _csv(orders: Iterable[Order]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    rows = orders.iterator(chunk_size=500) if hasattr(orders, "iterator") else orders
    for order in rows:
        writer.writerow([_cell(value) for value in _row(order)])
        if buffer.tell() > 64 * 1024:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def _row(order: Order) -> list:
    customer = order.customer
    return [
        order.order_number,
        timezone.localtime(order.placed_at).strftime("%Y-%m-%d %H:%M"),
        order.store.name,
        customer.name if customer else "",
        customer.email if customer else "",
        order.get_status_display(),
        table.Payment.LABELS.get(order.payment_state or "", ""),
        TrackingStatus(order.tracking_status).label if order.tracking_status else "",
        order.courier,
        order.tracking_number,
        order.item_count,
        f"{order.amount:.2f}",
        order.currency,
        "; ".join(reason.label for reason in table.action_reasons(order)),
    ]


def _cell(value) -> str:
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(_FORMULA) else text
