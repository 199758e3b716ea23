"""An order is identified by its store, source and the source's id; the number is
what people read. A taken number never overwrites and never drops an order."""

from decimal import Decimal

import pytest
from django.db import IntegrityError
from django.urls import reverse

from orders.models import Order, OrderEvent
from orders.services import order_create
from tests.factories import (
    CustomerFactory,
    OrderFactory,
    OrderLineFactory,
    UserFactory,
)
from tests.inbound import outcome
from tests.orders.payloads import post_shopify, post_woo, shopify_order, woo_order

pytestmark = pytest.mark.django_db


@pytest.fixture
def completed_order(store):
    """A finished, invoiced Shopify order #1001 with its own lines and address."""
    order = OrderFactory(
        store=store,
        order_number="#1001",
        source="shopify",
        external_id="111",
        amount=Decimal("798.00"),
        currency="SEK",
        status="delivered",
        notes="Gift wrap",
        delivery_address={"city": "Uppsala"},
    )
    OrderLineFactory(order=order, title="Lamp", quantity=1, unit_price=798)
    return order


def test_a_different_shopify_order_with_a_taken_number_is_kept_apart(
    client, store, completed_order
):
    response = post_shopify(
        client, store, shopify_order(order_id=222, name="#1001", total_price="1147")
    )
    assert response.status_code == 200, response.content
    body = outcome(response)
    assert body["status"] == "applied"
    assert body["created"] is True
    assert body["order_number"] == "#1001-2"

    completed_order.refresh_from_db()
    assert completed_order.amount == Decimal("798.00")
    assert completed_order.notes == "Gift wrap"
    assert completed_order.delivery_address == {"city": "Uppsala"}
    assert [line.title for line in completed_order.lines.all()] == ["Lamp"]
    assert completed_order.review_reason == ""

    new = Order.objects.get(pk=body["order_id"])
    assert (new.external_id, new.amount) == ("222", Decimal("1147.00"))
    assert "#1001 was already taken" in new.review_reason
    assert new.needs_action
    assert Order.objects.needing_action().filter(pk=new.pk).exists()
    assert OrderEvent.objects.filter(
        order=new, kind="note", data__number_taken_by=completed_order.pk
    ).exists()


def test_updates_of_a_renumbered_order_reach_it_and_only_it(
    client, store, completed_order
):
    post_shopify(client, store, shopify_order(order_id=222, name="#1001"))
    later = shopify_order(
        order_id=222,
        name="#1001",
        note="Ring the bell",
        updated_at="2026-11-21T10:00:00-05:00",
    )
    response = post_shopify(client, store, later, topic="orders/updated")
    body = outcome(response)
    assert (body["status"], body["created"]) == ("applied", False)
    assert body["order_number"] == "#1001-2"
    assert Order.objects.get(external_id="222").notes == "Ring the bell"
    completed_order.refresh_from_db()
    assert completed_order.notes == "Gift wrap"
    assert Order.objects.count() == 2


def test_a_manual_order_with_the_number_is_never_taken_over(client, store):
    manual = order_create(store=store, order_number="#1001", amount=Decimal("5"))
    post_shopify(client, store, shopify_order(order_id=333, name="#1001"))
    manual.refresh_from_db()
    assert (manual.source, manual.external_id, manual.amount) == (
        "manual",
        "",
        Decimal("5.00"),
    )
    assert Order.objects.get(external_id="333").order_number == "#1001-2"


def test_a_third_collision_takes_the_next_suffix(client, store, completed_order):
    for order_id in (222, 333):
        post_shopify(client, store, shopify_order(order_id=order_id, name="#1001"))
    assert sorted(Order.objects.values_list("order_number", flat=True)) == [
        "#1001",
        "#1001-2",
        "#1001-3",
    ]


def test_woocommerce_order_with_a_taken_number_is_kept_apart(client, store):
    OrderFactory(store=store, order_number="727", source="manual", amount=10)
    response = post_woo(client, store, woo_order(order_id=727))
    assert outcome(response)["order_number"] == "727-2"
    assert Order.objects.get(source="woocommerce").external_id == "727"


def test_the_same_webshop_order_twice_is_one_order(client, store):
    post_shopify(client, store, shopify_order(order_id=444, name="#2000"))
    post_shopify(client, store, shopify_order(order_id=444, name="#2000"))
    assert Order.objects.filter(external_id="444").count() == 1


def test_the_database_refuses_a_second_row_for_one_webshop_order(store):
    OrderFactory(store=store, order_number="A", source="shopify", external_id="9")
    with pytest.raises(IntegrityError):
        OrderFactory(store=store, order_number="B", source="shopify", external_id="9")


def test_mixed_email_and_phone_lands_with_the_email_in_the_portal(
    client, store, portal_users
):
    """A's email with B's phone is A's order: in A's portal, 404 in B's."""
    anna, berit = portal_users
    payload = shopify_order(
        order_id=555,
        name="#3000",
        email=anna.email,
        phone=berit.customer.phone,
        customer={"first_name": "Anna", "email": anna.email},
    )
    order_id = outcome(post_shopify(client, store, payload))["order_id"]
    assert Order.objects.get(pk=order_id).customer == anna.customer
    detail = reverse("portal:orders_detail", args=[order_id])
    client.force_login(anna)
    assert client.get(detail).status_code == 200
    client.force_login(berit)
    assert client.get(detail).status_code == 404


def test_new_email_with_a_known_phone_is_a_new_customer(client, store, portal_users):
    _anna, berit = portal_users
    payload = shopify_order(
        order_id=556,
        name="#3001",
        email="stranger@example.com",
        phone=berit.customer.phone,
        customer={"email": "stranger@example.com"},
    )
    order = Order.objects.get(
        pk=outcome(post_shopify(client, store, payload))["order_id"]
    )
    assert order.customer.email == "stranger@example.com"
    client.force_login(berit)
    detail = reverse("portal:orders_detail", args=[order.pk])
    assert client.get(detail).status_code == 404


@pytest.fixture
def portal_users(store):
    users = []
    for name, phone in (("anna", "+46701111111"), ("berit", "+46702222222")):
        user = UserFactory(username=name, email=f"{name}@example.com")
        CustomerFactory(
            merchant=store.merchant, user=user, email=user.email, phone=phone
        )
        users.append(user)
    return users


def test_staff_mark_a_flagged_order_reviewed(
    client, store, staff_user, completed_order
):
    post_shopify(client, store, shopify_order(order_id=222, name="#1001"))
    flagged = Order.objects.get(external_id="222")
    client.force_login(staff_user)
    page = client.get(reverse("orders:detail", args=[flagged.pk]))
    assert b"Check this order." in page.content
    client.post(reverse("orders:reviewed", args=[flagged.pk]))
    flagged.refresh_from_db()
    assert flagged.review_reason == ""
    assert not flagged.needs_action or flagged.can_book_shipment
    assert flagged.events.filter(note__startswith="Reviewed: Number #1001").exists()
