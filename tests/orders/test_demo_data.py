from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from demo.orders.catalog import DEMO_PASSWORD
from orders.models import Customer, Membership, Merchant, Order, OrderEvent
from orders.phones import normalize_phone
from orders.state_machine import OrderStatus, can_transition

pytestmark = pytest.mark.django_db

ORDERS = 40


def demo_data(**options) -> str:
    out = StringIO()
    call_command("demo_data", stdout=out, **options)
    return out.getvalue()


@pytest.fixture
def demo(db):
    demo_data(orders=ORDERS)


def roles(merchant_name: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for membership in Membership.objects.filter(merchant__name=merchant_name):
        found.setdefault(membership.role, []).append(membership.user.username)
    return found


def test_merchants_and_stores(demo):
    """Two merchants: a webshop merchant with two stores and a Discord studio."""
    stores = {
        merchant.name: sorted(
            (store.name, store.platform) for store in merchant.stores.all()
        )
        for merchant in Merchant.objects.all()
    }
    assert stores == {
        "Nordic Goods AB": [
            ("Nordic Goods Shopify", "shopify"),
            ("Nordic Goods Woo", "woocommerce"),
        ],
        "Pixel Forge Studio": [("Pixel Forge Discord", "discord")],
    }
    for merchant in Merchant.objects.all():
        assert all(store.webhook_secret for store in merchant.stores.all())


def test_every_role_is_cast(demo):
    """Admins, staff, a reseller who owns the Woo store, a supplier, a superuser."""
    nordic = roles("Nordic Goods AB")
    assert nordic["admin"] == ["admin@nordic.example"]
    assert len(nordic["staff"]) == 2
    assert len(nordic["reseller"]) == len(nordic["supplier"]) == 1
    reseller = Membership.objects.get(role=Membership.Role.RESELLER)
    assert [store.name for store in reseller.stores.all()] == ["Nordic Goods Woo"]
    pixel = roles("Pixel Forge Studio")
    assert (len(pixel["admin"]), len(pixel["staff"])) == (1, 1)
    assert get_user_model().objects.get(username="admin").is_superuser


def test_people_sign_in_by_email_with_the_demo_password(demo, client):
    """Usernames are the email addresses, and the documented password works."""
    for user in get_user_model().objects.exclude(username="admin"):
        assert user.username == user.email
    assert client.login(username="erik@nordic.example", password=DEMO_PASSWORD)
    portal = Customer.objects.exclude(user=None)
    assert portal.count() >= 3
    assert all(customer.orders.exists() for customer in portal)


def test_every_status_is_reached_through_the_state_machine(demo):
    """Orders cover every status, and each status change is an allowed step."""
    assert Order.objects.count() == ORDERS
    present = set(Order.objects.values_list("status", flat=True))
    assert present == set(OrderStatus.values)
    for event in OrderEvent.objects.filter(kind=OrderEvent.Kind.STATUS_CHANGED):
        assert can_transition(event.from_status, event.to_status), event
    for order in Order.objects.prefetch_related("events"):
        events = list(order.events.all())
        assert events[0].kind == OrderEvent.Kind.CREATED
        assert events[-1].to_status in ("", order.status)
        assert order.placed_at <= events[-1].created_at


def test_physical_and_service_orders_look_real(demo):
    """Nordic orders ship to Scandinavia with E.164 phones; Pixel Forge sells
    services paid by Stripe or PayPal."""
    physical = Order.objects.filter(merchant__name="Nordic Goods AB")
    for order in physical:
        address = order.delivery_address
        assert address["country"] in ("SE", "NO", "DK")
        assert normalize_phone(address["phone"]) == address["phone"]
        assert order.lines.exists()
        assert order.package["weight_kg"] > 0
    assert physical.exclude(tracking_number="").exists()
    assert physical.filter(status=OrderStatus.SHIPPED).exists()
    services = Order.objects.filter(merchant__name="Pixel Forge Studio")
    assert all(order.service for order in services)
    assert {order.payment_method for order in services} <= {"stripe", "paypal"}
    assert Order.objects.exclude(assigned_staff=None).exists()


def test_if_empty_leaves_existing_data_alone(demo):
    """A second run with --if-empty changes nothing."""
    before = (Order.objects.count(), OrderEvent.objects.count())
    output = demo_data(if_empty=True, orders=ORDERS)
    assert "left as is" in output
    assert (Order.objects.count(), OrderEvent.objects.count()) == before


def test_sign_ins_are_printed_with_the_password(db):
    output = demo_data(sign_ins=True)
    assert DEMO_PASSWORD in output
    assert "admin@nordic.example" in output
    assert not Merchant.objects.exists()


def test_every_store_has_a_pickup_address_to_ship_from(demo):
    """Booking a shipment in the demo needs no setup."""
    from orders.models import Store

    for store in Store.objects.all():
        address = store.pickup_address
        assert {"name", "line1", "postal_code", "city", "country"} <= set(address)
        assert all(address[key] for key in ("name", "line1", "postal_code", "city"))
