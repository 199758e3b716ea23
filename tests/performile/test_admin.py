import pytest
from django.contrib import admin
from django.urls import reverse

from orders.models import OrderEvent, Store
from tests.factories import CustomerFactory, OrderFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser_client(client):
    user = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(user)
    return client


def test_every_model_has_a_working_admin_with_search_and_filters(
    superuser_client, store
):
    order = OrderFactory(store=store, customer=CustomerFactory(merchant=store.merchant))
    OrderEvent.objects.create(order=order, kind="created", to_status="pending")
    for model, model_admin in admin.site._registry.items():
        meta = model._meta
        url = reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist")
        query = {"q": "x"} if model_admin.search_fields else {}
        response = superuser_client.get(url, query)
        assert response.status_code == 200, (model, response.status_code)
    for app_model in ("orders.order", "orders.store", "orders.customer"):
        assert app_model in {
            f"{m._meta.app_label}.{m._meta.model_name}" for m in admin.site._registry
        }
    response = superuser_client.get(
        reverse("admin:orders_order_change", args=[order.pk])
    )
    assert response.status_code == 200
    assert b"Open in the Orders view" in response.content


def test_store_admin_shows_webhook_urls_and_rotates_secret(superuser_client, store):
    url = reverse("admin:orders_store_change", args=[store.pk])
    page = superuser_client.get(url)
    assert str(store.webhook_key).encode() in page.content
    data = {
        "merchant": store.merchant_id,
        "name": store.name,
        "platform": store.platform,
        "domain": "",
        "currency": "EUR",
        "webhook_secret": "rotated",
        "reconcile_every_minutes": "0",
        "pickup_address": "{}",
        "language": "sv",
        # The Discord servers inline, empty.
        "guilds-TOTAL_FORMS": "0",
        "guilds-INITIAL_FORMS": "0",
    }
    response = superuser_client.post(url, data)
    assert response.status_code == 302, response.content[:2000]
    store = Store.objects.get(pk=store.pk)
    assert store.webhook_secret == "rotated"
    assert store.previous_webhook_secret == "store-secret"
    assert store.webhook_secret_rotated_at is not None


def test_orders_cannot_be_added_or_status_edited_in_admin(superuser_client, store):
    order = OrderFactory(store=store)
    assert superuser_client.get(reverse("admin:orders_order_add")).status_code == 403
    page = superuser_client.get(reverse("admin:orders_order_change", args=[order.pk]))
    assert b'name="status"' not in page.content
