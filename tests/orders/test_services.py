from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser

from orders.ingestion.incoming import IncomingCustomer, IncomingOrder
from orders.models import Order, OrderEvent
from orders.services import (
    customer_get_or_create,
    order_change_status,
    order_create,
    order_update,
    order_upsert_from_webshop,
)
from orders.state_machine import OrderStatus
from performile.errors import ApplicationError, Conflict, NotAllowed
from tests.factories import OrderFactory
from tests.racing import race

pytestmark = pytest.mark.django_db


def test_customer_matched_by_email_case_insensitively_and_blanks_filled(merchant):
    first = customer_get_or_create(merchant_id=merchant.pk, email="Eva@Example.com")
    again = customer_get_or_create(
        merchant_id=merchant.pk,
        email="eva@example.com",
        name="Eva",
        phone="+46 70 123 45 67",
    )
    assert again.pk == first.pk
    again.refresh_from_db()
    assert (again.name, again.phone) == ("Eva", "+46701234567")


def test_customer_matched_by_phone_in_any_format(merchant):
    first = customer_get_or_create(merchant_id=merchant.pk, phone="+46701234567")
    assert (
        customer_get_or_create(merchant_id=merchant.pk, phone="+46 70-123 45 67").pk
        == first.pk
    )


def test_customers_are_per_merchant(merchant, other_store):
    mine = customer_get_or_create(merchant_id=merchant.pk, email="eva@example.com")
    theirs = customer_get_or_create(
        merchant_id=other_store.merchant_id, email="eva@example.com"
    )
    assert mine.pk != theirs.pk
    assert mine.customer_number != theirs.customer_number


def test_create_records_creator_and_event(store, staff_user):
    order = order_create(
        store=store, order_number=" ABC123 ", actor=staff_user, amount=Decimal("5")
    )
    assert order.order_number == "ABC123"
    assert order.merchant_id == store.merchant_id
    assert (order.created_by, order.updated_by) == (staff_user, staff_user)
    event = order.events.get()
    assert (event.kind, event.to_status, event.actor) == (
        "created",
        "pending",
        staff_user,
    )


def test_create_refuses_a_taken_number_and_a_late_status(store):
    order_create(store=store, order_number="A1", actor_label="test")
    with pytest.raises(Conflict):
        order_create(store=store, order_number="A1", actor_label="test")
    with pytest.raises(ApplicationError, match="cannot start as Shipped"):
        order_create(store=store, order_number="A2", status=OrderStatus.SHIPPED)


def test_orders_without_a_number_get_the_stores_next_one(store, other_store):
    """Manual, API and Discord orders may leave the number out: the store's
    sequence numbers them, skipping numbers people typed themselves."""
    order_create(store=store, order_number="1002", actor_label="test")
    numbers = [
        order_create(store=store, order_number=blank).order_number
        for blank in ("", "  ", "")
    ]
    assert numbers == ["1001", "1003", "1004"]
    assert order_create(store=other_store).order_number == "1001"


def test_supplier_cannot_create_orders(store, supplier):
    with pytest.raises(NotAllowed):
        order_create(store=store, order_number="A1", actor=supplier)


CHANGES_BY_A_SIGNED_OUT_USER = {
    "update": lambda order, who: order_update(order=order, actor=who, notes="new"),
    "status": lambda order, who: order_change_status(
        order=order, to=OrderStatus.CANCELLED, actor=who
    ),
    "create": lambda order, who: order_create(
        store=order.store, order_number="A2", actor=who
    ),
}


@pytest.mark.parametrize("change", sorted(CHANGES_BY_A_SIGNED_OUT_USER))
def test_a_signed_out_user_is_not_the_system(store, change):
    """Only an actor of None is the system; AnonymousUser may do nothing."""
    order = OrderFactory(store=store, notes="old")
    with pytest.raises(NotAllowed):
        CHANGES_BY_A_SIGNED_OUT_USER[change](order, AnonymousUser())
    order.refresh_from_db()
    assert order.notes == "old"
    assert order.status != OrderStatus.CANCELLED
    assert not Order.objects.filter(order_number="A2").exists()


def test_update_writes_the_old_values_into_the_event(store, staff_user):
    order = OrderFactory(store=store, notes="old")
    changed = order_update(
        order=order, actor=staff_user, notes="new", tracking_number=""
    )
    assert changed == ["notes"]
    event = order.events.get()
    assert event.kind == OrderEvent.Kind.UPDATED
    assert event.data == {"changed": {"notes": "old"}}
    assert order_update(order=order, actor=staff_user, notes="new") == []
    assert order.events.count() == 1


def test_update_refuses_status_and_unknown_fields(store):
    order = OrderFactory(store=store)
    with pytest.raises(ApplicationError, match="status"):
        order_update(order=order, status=OrderStatus.SHIPPED)


def test_adding_tracking_is_a_tracking_event(store):
    order = OrderFactory(store=store)
    order_update(order=order, actor_label="Shopify", tracking_number="370123456789")
    assert order.events.get().kind == OrderEvent.Kind.TRACKING
    order.refresh_from_db()
    assert order.has_tracking


def incoming(**overrides):
    values = {
        "source": "api",
        "order_number": "W-1",
        "external_id": "77",
        "customer": IncomingCustomer(email="w@example.com"),
        "amount": Decimal("10"),
    }
    return IncomingOrder(**{**values, **overrides})


def test_upsert_without_tracking_keeps_the_tracking_we_have(store):
    order, _ = order_upsert_from_webshop(
        store=store, incoming=incoming(tracking_number="T1"), actor_label="x"
    )
    order_upsert_from_webshop(
        store=store, incoming=incoming(notes="hi"), actor_label="x"
    )
    order.refresh_from_db()
    assert (order.tracking_number, order.notes) == ("T1", "hi")


def test_upsert_skips_a_status_the_state_machine_forbids(store):
    order, _ = order_upsert_from_webshop(
        store=store, incoming=incoming(status=OrderStatus.CANCELLED), actor_label="x"
    )
    order_upsert_from_webshop(
        store=store,
        incoming=incoming(status=OrderStatus.PAYMENT_VERIFIED, notes="late"),
        actor_label="x",
    )
    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED
    assert order.notes == "late"


@pytest.mark.django_db(transaction=True)
def test_create_and_update_racing_end_in_one_order(store):
    def deliver(**overrides):
        def run():
            order_upsert_from_webshop(
                store=store, incoming=incoming(**overrides), actor_label="race"
            )

        return run

    errors = race([deliver(), deliver(notes="updated")])
    assert errors == []
    assert Order.objects.count() == 1
