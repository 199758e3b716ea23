import pytest

from orders.models import Source


@pytest.fixture
def shopify_store(store, httpserver):
    store.platform = Source.SHOPIFY
    store.domain = httpserver.url_for("/").rstrip("/")
    store.api_token = "shpat-test"
    store.currency = "SEK"
    store.save()
    return store


@pytest.fixture
def woo_store(store, httpserver):
    store.platform = Source.WOOCOMMERCE
    store.domain = httpserver.url_for("/")
    store.api_token = "ck_test"
    store.api_secret = "cs_test"
    store.save()
    return store
