"""New webshop orders applied in bulk (orders.webshop_batch through the orders
applier's batch applier): the same orders, customers, timelines and domain events
as one delivery at a time, in a number of statements that does not grow with the
batch."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from invoices.models import Invoice, Payment
from orders.models import Customer, Order, OrderEvent, OrderLine
from performile import inbound
from performile.models import InboundDelivery
from tests.factories import CustomerFactory, OrderFactory, StoreFactory
from tests.inbound import apply_all
from tests.orders.payloads import post_shopify, post_woo, shopify_order, woo_order
from tests.orders.samples import shopify_sample_order


@pytest.fixture
def workers_stopped(settings):
    settings.INBOUND_APPLY_EAGER = False


def _paid(number: int, email: str, **overrides) -> dict:
    values = {
        "email": email,
        "customer": {"first_name": "Kim", "last_name": f"No{number}", "email": email},
        "financial_status": "paid",
        "total_price": "597.94",
        **overrides,
    }
    return shopify_order(order_id=9000 + number, name=f"#{number}", **values)


def _shipped(number: int, email: str) -> dict:
    fulfillment = {
        "id": 7000 + number,
        "status": "success",
        "tracking_company": "PostNord",
        "tracking_number": f"UA{number:09d}SE",
    }
    return _paid(
        number, email, fulfillment_status="fulfilled", fulfillments=[fulfillment]
    )


def _mixed_week(number_offset: int = 0) -> list[dict]:
    """New orders as a shop sends them on a busy day: repeat customers (one with
    another spelling of the email), paid and unpaid, shipped, a guest order."""
    n = 1100 + number_offset
    return [
        _paid(n + 1, "ada@example.com"),
        _paid(n + 2, "ADA@example.com"),
        _shipped(n + 3, "bo@example.com"),
        shopify_order(order_id=9000 + n + 4, name=f"#{n + 4}", email="cy@example.com"),
        _paid(n + 5, "", customer=None, phone=""),
        shopify_sample_order(id=9000 + n + 6, name=f"#{n + 6}", order_number=n + 6),
    ]


def _projection(store) -> list[tuple]:
    """What a person sees of the store's orders, without ids and clocks."""
    rows = []
    for order in Order.objects.filter(store=store).order_by("order_number"):
        rows.append(
            (
                order.order_number,
                order.status,
                order.customer.email if order.customer else None,
                order.customer.name if order.customer else None,
                order.amount,
                order.tracking_number,
                order.delivery_address,
                sorted(
                    order.lines.values_list("kind", "sku", "quantity", "unit_price")
                ),
                list(order.events.order_by("id").values_list("kind", "to_status")),
                Invoice.objects.filter(order=order).count(),
                sorted(Payment.objects.filter(order=order).values_list("amount")),
            )
        )
    return rows


def test_a_batch_of_new_orders_is_what_one_at_a_time_makes(client, settings, db):
    one_by_one, together = StoreFactory(), StoreFactory()
    for payload in _mixed_week():
        post_shopify(client, one_by_one, payload)  # applied in its request

    settings.INBOUND_APPLY_EAGER = False
    for payload in _mixed_week():
        post_shopify(client, together, payload)
    assert inbound.apply_batch() == 6  # one batch, set-based
    apply_all()  # and the domain events they caused

    assert _projection(together) == _projection(one_by_one)
    assert len(_projection(together)) == 6
    # Ada's two spellings are one customer; the order without an email went to
    # the customer its phone names, as one at a time.
    ada = Customer.objects.get(
        merchant=together.merchant, email__iexact="ada@example.com"
    )
    assert ada.orders.count() == 2
    guest = Order.objects.get(store=together, order_number="#1105").customer
    assert (guest.email, guest.phone) == ("", "+46701234567")
    statuses = InboundDelivery.objects.filter(store_id=together.pk)
    assert set(statuses.values_list("status", flat=True)) == {"applied"}
    assert {d.result["created"] for d in statuses} == {True}


def test_the_statements_of_a_batch_do_not_grow_with_its_size(
    client, workers_stopped, db
):
    counts = []
    for size, offset in ((10, 0), (40, 100)):
        store = StoreFactory()
        for number in range(size):
            post_shopify(
                client, store, _paid(offset + number, f"c{offset + number}@example.com")
            )
        with CaptureQueriesContext(connection) as queries:
            assert inbound.apply_batch() == size
        counts.append(len(queries))
        assert Order.objects.filter(store=store).count() == size
        assert OrderLine.objects.filter(order__store=store).count() == 2 * size

    assert counts[0] == counts[1]
    assert counts[0] < 25


def test_a_known_customer_is_found_and_learns_what_was_blank(
    client, store, workers_stopped
):
    known = CustomerFactory(merchant=store.merchant, email="ada@example.com", phone="")
    post_shopify(client, store, _paid(1, "Ada@Example.com", phone="+46701234567"))
    post_shopify(client, store, _paid(2, "new@example.com"))

    inbound.apply_batch()

    known.refresh_from_db()
    assert Order.objects.get(order_number="#1").customer == known
    assert known.phone == "+46701234567"
    assert Customer.objects.filter(merchant=store.merchant).count() == 2


def test_what_has_no_shortcut_is_applied_one_by_one_in_order(
    client, store, workers_stopped
):
    OrderFactory(store=store, order_number="#2")  # typed in by staff
    post_shopify(client, store, _paid(1, "a@example.com"))
    post_shopify(client, store, _paid(2, "b@example.com"))  # number taken
    post_shopify(
        client, store, _paid(1, "a@example.com", note="later"), topic="orders/updated"
    )
    post_shopify(client, store, _paid(3, "c@example.com"), webhook_id="same")
    post_shopify(client, store, _paid(4, "d@example.com"), webhook_id="same")

    assert inbound.apply_batch() == 5 - 1  # the door kept one of the two "same"

    first = Order.objects.get(store=store, external_id="9001")
    assert first.notes == "later"  # created in bulk, then updated
    renumbered = Order.objects.get(store=store, external_id="9002")
    assert renumbered.order_number == "#2-2"
    assert "already taken" in renumbered.review_reason
    assert Order.objects.filter(store=store, external_id="9003").exists()
    results = [
        d.status
        for d in InboundDelivery.objects.exclude(provider="event").order_by("seq")
    ]
    assert results == ["applied"] * 4


def test_the_same_order_under_two_webhook_ids_in_one_batch_is_one_order(
    client, store, workers_stopped
):
    post_shopify(client, store, _paid(1, "a@example.com"), event_id="e-1")
    post_shopify(client, store, _paid(1, "a@example.com"), event_id="e-1")

    inbound.apply_batch()

    assert Order.objects.filter(store=store).count() == 1
    statuses = InboundDelivery.objects.exclude(provider="event").order_by("seq")
    assert [d.status for d in statuses] == ["applied", "duplicate"]


def test_a_delivery_seen_before_is_a_duplicate_in_a_batch_too(
    client, store, workers_stopped
):
    post_shopify(client, store, _paid(1, "a@example.com"), event_id="e-1")
    inbound.apply_batch()
    post_shopify(client, store, _paid(1, "a@example.com"), event_id="e-1")
    post_shopify(client, store, _paid(2, "b@example.com"))

    inbound.apply_batch()

    statuses = InboundDelivery.objects.exclude(provider="event").order_by("seq")
    assert [d.status for d in statuses] == ["applied", "duplicate", "applied"]
    assert Order.objects.filter(store=store).count() == 2


def test_woocommerce_orders_are_created_in_bulk_too(client, store, workers_stopped):
    for number in (801, 802, 803):
        post_woo(client, store, woo_order(order_id=number))

    with CaptureQueriesContext(connection) as queries:
        assert inbound.apply_batch() == 3

    orders = Order.objects.filter(store=store)
    assert sorted(orders.values_list("order_number", flat=True)) == [
        "801",
        "802",
        "803",
    ]
    assert orders.values("customer").distinct().count() == 1  # John Doe, three times
    inserts = [q for q in queries if q["sql"].startswith('INSERT INTO "orders_order"')]
    assert len(inserts) == 1
    assert OrderEvent.objects.filter(order__store=store, kind="created").count() == 3
