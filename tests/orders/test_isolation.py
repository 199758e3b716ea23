"""Who sees which order: every order endpoint answers from visible_orders. Every
orders URL (HTML and /api/) is in the sweep below; a new one that is not fails
`test_the_sweep_covers_every_orders_url` (tests/urls_sweep.py)."""

import pytest
from django.urls import reverse

from orders.models import Order, SavedView
from orders.selectors import visible_order_scopes, visible_orders
from tests.factories import CustomerFactory, OrderFactory
from tests.urls_sweep import app_routes, assert_not_found, assert_swept

pytestmark = pytest.mark.django_db

# The URLs that take an id, by the kind of record the id names.
PARAMETRIZED = {
    "orders:detail": "order",
    "orders:edit": "order",
    "orders:delete": "order",
    "orders:notify": "order",
    "orders:change-status": "order",
    "orders:assign": "order",
    "orders:reviewed": "order",
    "orders:customer-merge": "order",
    "orders:view-rename": "saved_view",
    "orders:view-delete": "saved_view",
    "api-order-detail": "order",
    "api-order-status": "order",
    "api-order-assign": "order",
    "api-customer-merge": "customer",
}
# The URLs without an id in the path, and how another merchant's ids could reach
# them (None: they answer from visible_orders only, whatever is asked).
OTHER_WAYS = {
    "orders:list": "query",
    "orders:rows": "query",
    "orders:create": "body",
    "orders:export": "query",
    "orders:bulk-status": "body",
    # Saves the user's own view of the list; it reads no order.
    "orders:view-create": None,
    "api-orders": "query and body",
    # The change feed: tests/orders/test_change_feed.py shows another merchant's
    # changes never appear (it needs committed transactions).
    "api-order-changes": None,
}


@pytest.fixture
def foreign_order(other_store):
    return OrderFactory(store=other_store, order_number="FOREIGN-1")


def test_the_sweep_covers_every_orders_url():
    assert_swept(
        app_routes("orders.urls", "orders.api.urls"),
        by_id=PARAMETRIZED,
        other=OTHER_WAYS,
    )


def test_other_merchants_orders_are_404_on_every_endpoint(
    client, staff_user, other_store, other_merchant_staff
):
    """Every URL that takes an id, with another merchant's, is 404 whatever the
    method (or 405 for a method it never takes); the drawer's actions (mark as
    reviewed, the customer merge) included."""
    customer = CustomerFactory(merchant=other_store.merchant)
    foreign = OrderFactory(
        store=other_store,
        customer=customer,
        order_number="FOREIGN-1",
        review_reason="Number taken.",
    )
    into = CustomerFactory(merchant=other_store.merchant)
    view = SavedView.objects.create(user=other_merchant_staff, name="Theirs")
    theirs = {"order": foreign, "customer": customer, "saved_view": view}
    client.force_login(staff_user)
    data = {
        "status": "confirmed",
        "assigned_staff": "",
        "into": into.customer_number,
        "notes": "Changed",
        "reason": "Changed",
    }
    for name, kind in PARAMETRIZED.items():
        assert_not_found(client, reverse(name, args=[theirs[kind].pk]), data)

    listed = client.get(reverse("orders:list"), {"store": other_store.pk})
    rows = client.get(reverse("orders:rows"), {"ids": str(foreign.pk)})
    api = client.get(reverse("api-orders"), {"store": other_store.pk, "q": "FOREIGN"})
    export = client.get(reverse("orders:export"), {"state": "", "q": "FOREIGN"})
    assert export.status_code == 200
    assert "FOREIGN-1" not in b"".join(export.streaming_content).decode()
    bulk = client.post(
        reverse("orders:bulk-status"), {"ids": [foreign.pk], "status": "confirmed"}
    )
    assert bulk.status_code == 302
    for response in (listed, rows, api):
        assert response.status_code in (200, 400, 404), response.request
        assert "FOREIGN-1" not in response.content.decode(), response.request
    created = client.post(
        reverse("orders:create"), {"store": other_store.pk, "order_number": "X1"}
    )
    assert created.status_code == 422  # the form again, with what is wrong
    api_created = client.post(
        reverse("api-orders"), {"store": other_store.pk, "order_number": "X2"}
    )
    assert api_created.status_code == 400
    assert not other_store.orders.exclude(pk=foreign.pk).exists()
    foreign = Order.objects.get(pk=foreign.pk)
    assert (foreign.status, foreign.notes, foreign.deleted_at) == ("pending", "", None)
    assert (foreign.review_reason, foreign.customer) == ("Number taken.", customer)
    assert foreign.assigned_staff is None
    assert not foreign.events.exists()
    assert SavedView.objects.get(pk=view.pk).name == "Theirs"


def test_other_merchants_orders_are_not_listed_or_searchable(
    staff_api, store, foreign_order
):
    OrderFactory(store=store, order_number="MINE-1")
    for query in ({}, {"q": "FOREIGN"}, {"store": foreign_order.store_id}):
        rows = staff_api.get(reverse("api-orders"), query).json()["results"]
        assert "FOREIGN-1" not in [row["order_number"] for row in rows]


def test_cannot_create_orders_in_another_merchants_store(staff_api, other_store):
    response = staff_api.post(
        reverse("api-orders"),
        {"store": other_store.pk, "order_number": "X", "amount": "1"},
        format="json",
    )
    assert response.status_code == 400
    assert not other_store.orders.exists()


def test_supplier_sees_only_orders_assigned_to_them(api_client, store, supplier):
    assigned = OrderFactory(store=store, supplier=supplier)
    unassigned = OrderFactory(store=store)
    assert list(visible_orders(supplier)) == [assigned]
    api_client.force_authenticate(supplier)
    rows = api_client.get(reverse("api-orders")).json()["results"]
    assert [row["id"] for row in rows] == [assigned.pk]
    assert (
        api_client.get(reverse("api-order-detail", args=[unassigned.pk])).status_code
        == 404
    )
    assert (
        api_client.get(reverse("api-order-detail", args=[assigned.pk])).status_code
        == 200
    )


def test_reseller_sees_only_their_stores(api_client, store, second_store, reseller):
    theirs = OrderFactory(store=second_store)
    not_theirs = OrderFactory(store=store)
    assert list(visible_orders(reseller)) == [theirs]
    api_client.force_authenticate(reseller)
    assert (
        api_client.get(reverse("api-order-detail", args=[not_theirs.pk])).status_code
        == 404
    )
    response = api_client.post(
        reverse("api-orders"),
        {"store": store.pk, "order_number": "R1", "amount": "1"},
        format="json",
    )
    assert response.status_code == 400
    response = api_client.post(
        reverse("api-orders"),
        {"store": second_store.pk, "order_number": "R1", "amount": "1"},
        format="json",
    )
    assert response.status_code == 201


def test_staff_see_all_stores_of_their_merchant_only(
    staff_user, store, second_store, foreign_order
):
    mine = {OrderFactory(store=store).pk, OrderFactory(store=second_store).pk}
    assert set(visible_orders(staff_user).values_list("pk", flat=True)) == mine


def test_customer_sees_only_their_own_orders(customer, store):
    own = OrderFactory(store=store, customer=customer)
    OrderFactory(store=store)
    assert list(visible_orders(customer.user)) == [own]


def test_anonymous_and_inactive_see_nothing(store, staff_user):
    from django.contrib.auth.models import AnonymousUser

    OrderFactory(store=store)
    assert not visible_orders(AnonymousUser()).exists()
    staff_user.is_active = False
    assert not visible_orders(staff_user).exists()


def test_user_without_membership_sees_nothing(store):
    from tests.factories import UserFactory

    OrderFactory(store=store)
    assert not visible_orders(UserFactory()).exists()


def test_customers_cannot_use_the_merchant_api_even_for_their_own_orders(
    api_client, store, customer
):
    """Customers have the portal; the merchant API and its writes are not theirs."""
    own = OrderFactory(store=store, customer=customer)
    api_client.force_authenticate(customer.user)
    assert api_client.get(reverse("api-orders")).status_code == 403
    assert api_client.get(reverse("api-order-detail", args=[own.pk])).status_code == 403
    url = reverse("api-order-status", args=[own.pk])
    assert (
        api_client.post(url, {"status": "cancelled"}, format="json").status_code == 403
    )
    own.refresh_from_db()
    assert own.status == "pending"


def test_customers_get_403_from_the_orders_view(client, store, customer):
    OrderFactory(store=store, customer=customer)
    client.force_login(customer.user)
    response = client.get(reverse("orders:list"))
    assert response.status_code == 403
    assert b"merchant teams" in response.content


def test_the_status_service_refuses_people_who_may_not_work_on_the_order(
    store, customer, supplier, reseller
):
    from orders.services import order_change_status
    from performile.errors import NotAllowed

    order = OrderFactory(store=store, customer=customer)
    for person in (customer.user, supplier, reseller):  # not assigned, not their store
        with pytest.raises(NotAllowed):
            order_change_status(order=order, to="confirmed", actor=person)
    order.refresh_from_db()
    assert order.status == "pending"
    assert not order.events.exists()


@pytest.mark.parametrize(
    "who", ["staff_user", "reseller", "supplier", "customer", "other_merchant_staff"]
)
def test_live_scopes_cover_exactly_the_visible_orders(
    request, who, store, second_store, other_store
):
    """The websocket groups (visible_order_scopes) and visible_orders are one rule
    written twice: over a mix of orders, both pick the same ones."""
    user = request.getfixturevalue(who)
    user = getattr(user, "user", user)  # the customer fixture is a Customer
    supplier = request.getfixturevalue("supplier")
    customer = request.getfixturevalue("customer")
    orders = [
        OrderFactory(store=store),
        OrderFactory(store=second_store),
        OrderFactory(store=other_store),
        OrderFactory(store=store, supplier=supplier),
        OrderFactory(store=second_store, customer=customer),
    ]
    scopes = visible_order_scopes(user)
    in_scope = {
        order.pk
        for order in orders
        if order.store_id in scopes.store_ids
        or (
            order.supplier_id == user.pk
            and order.merchant_id in scopes.supplier_merchant_ids
        )
        or order.customer_id in scopes.customer_ids
    }
    visible = set(visible_orders(user).values_list("pk", flat=True))
    assert in_scope == visible
    assert visible  # every one of them sees something here
