"""The scheduled catch-up: beat's `stores_reconcile_due` runs `store_reconcile` for
each store whose `reconcile_every_minutes` has passed since its last catch-up."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from orders import tasks
from orders.models import Order, Source
from orders.selectors import store_list_due_for_reconcile
from performile.celery import app
from tests.factories import StoreFactory
from tests.orders.payloads import shopify_order
from tests.orders.shops import SHOPIFY_PATH, json_response, requests_made

pytestmark = pytest.mark.django_db


def shopify(httpserver, name, *, every, ago=None, **fields):
    now = timezone.now()
    return StoreFactory(
        name=name,
        platform=Source.SHOPIFY,
        domain=httpserver.url_for("/"),
        api_token=f"token-{name}",
        reconcile_every_minutes=every,
        reconciled_at=now - ago if ago is not None else None,
        **fields,
    )


@pytest.fixture
def stores(httpserver):
    return {
        "due": shopify(httpserver, "due", every=15, ago=timedelta(minutes=16)),
        "never": shopify(httpserver, "never", every=60),
        "recent": shopify(httpserver, "recent", every=15, ago=timedelta(minutes=5)),
        "off": shopify(httpserver, "off", every=0, ago=timedelta(days=30)),
        "manual": StoreFactory(
            name="manual", platform=Source.MANUAL, reconcile_every_minutes=5
        ),
    }


def test_due_stores_are_those_whose_interval_has_passed(stores):
    due = store_list_due_for_reconcile()
    assert due == [stores["never"].pk, stores["due"].pk]


def test_the_beat_task_catches_up_due_stores_only(stores, httpserver, eager_celery):
    """Each due store is fetched and caught up; the others are not asked."""
    httpserver.expect_request(SHOPIFY_PATH).respond_with_json(
        {"orders": [shopify_order(1, "#1001")]}
    )
    started = timezone.now()

    tasks.stores_reconcile_due()

    tokens = {r.headers["X-Shopify-Access-Token"] for r in requests_made(httpserver)}
    assert tokens == {"token-due", "token-never"}
    for name, store in stores.items():
        store.refresh_from_db()
        caught_up = store.reconciled_at is not None and store.reconciled_at >= started
        assert caught_up == (name in ("due", "never")), name
    assert set(Order.objects.values_list("store__name", flat=True)) == {
        "due",
        "never",
    }


def test_one_failing_store_does_not_stop_the_others(stores, httpserver, eager_celery):
    def answer(request):
        if request.headers["X-Shopify-Access-Token"] == "token-never":
            return json_response({"errors": "Internal Server Error"}, 500)
        return json_response({"orders": []})

    httpserver.expect_request(SHOPIFY_PATH).respond_with_handler(answer)

    tasks.stores_reconcile_due()

    stores["never"].refresh_from_db()
    stores["due"].refresh_from_db()
    assert stores["never"].reconciled_at is None
    assert stores["due"].reconciled_at > timezone.now() - timedelta(minutes=1)


def test_a_store_being_caught_up_is_not_started_twice(stores, httpserver):
    """While a run holds the store's lock, another scheduled run skips it."""
    store = stores["due"]
    lock = f"orders:store-reconcile:{store.pk}"
    cache.add(lock, 1, timeout=60)
    try:
        tasks.store_reconcile(store.pk)
    finally:
        cache.delete(lock)

    assert requests_made(httpserver) == []
    store.refresh_from_db()
    assert store.reconciled_at < timezone.now() - timedelta(minutes=15)


def test_the_schedule_and_time_limits_are_declared():
    entry = settings.CELERY_BEAT_SCHEDULE["stores-reconcile-due"]
    assert entry["task"] == tasks.stores_reconcile_due.name
    assert entry["task"] in app.tasks
    assert tasks.stores_reconcile_due.time_limit
    assert tasks.store_reconcile.soft_time_limit < tasks.store_reconcile.time_limit


def test_the_store_admin_page_sets_up_catching_up(admin_client, store):
    response = admin_client.get(f"/admin/orders/store/{store.pk}/change/")
    assert response.status_code == 200
    for field in ("api_token", "api_secret", "reconcile_every_minutes"):
        assert f'name="{field}"' in response.content.decode()
