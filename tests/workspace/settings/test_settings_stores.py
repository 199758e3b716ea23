"""Stores in the settings: the webhook URL to paste, the secret masked until
revealed (each reveal audited), rotation that keeps the old secret valid for an
hour, a test delivery through the endpoint's verification, and the store's
details and pickup address as fields."""

import pytest
from django.urls import reverse

from orders.models import Source, Store
from performile.models import AuditEvent, InboundDelivery
from tests.orders.payloads import dumps, shopify_headers, shopify_order

pytestmark = pytest.mark.django_db


@pytest.fixture
def shopify_store(store):
    store.platform = Source.SHOPIFY
    store.domain = "nordic.myshopify.com"
    store.webhook_secret = "shpss-visible-only-on-reveal"
    store.save()
    return store


def post_shopify(client, store, payload, *, secret):
    body = dumps(payload)
    url = reverse("webhook-shopify", args=[store.webhook_key])
    headers = shopify_headers(secret, body)
    return client.post(url, body, content_type="application/json", **headers)


def _store_url(store, name="store"):
    return reverse(f"workspace:settings:{name}", args=[store.pk])


def test_the_page_shows_the_webhook_url_and_masks_the_secret(
    admin_client, shopify_store
):
    page = admin_client.get(_store_url(shopify_store)).content.decode()
    assert f"/webhooks/shopify/{shopify_store.webhook_key}/orders" in page
    assert "shpss-visible-only-on-reveal" not in page
    assert "Reveal" in page


def test_reveal_shows_the_secret_and_audits_it(
    admin_client, admin_member, shopify_store
):
    response = admin_client.post(_store_url(shopify_store, "store-secret-reveal"))
    assert response.status_code == 200
    assert "shpss-visible-only-on-reveal" in response.content.decode()
    event = AuditEvent.objects.get(action="store.webhook_secret_revealed")
    assert event.actor == admin_member
    assert event.object_id == str(shopify_store.pk)
    assert event.merchant_id == shopify_store.merchant_id
    assert "shpss-visible-only-on-reveal" not in str(event.data)


def test_reveal_is_post_only(admin_client, shopify_store):
    url = _store_url(shopify_store, "store-secret-reveal")
    assert admin_client.get(url).status_code == 405
    assert not AuditEvent.objects.filter(action="store.webhook_secret_revealed")


def test_rotation_makes_a_new_secret_and_the_old_one_works_an_hour(
    client, admin_client, shopify_store
):
    response = admin_client.post(_store_url(shopify_store, "store-secret-rotate"))
    assert response.status_code == 302
    shopify_store.refresh_from_db()
    assert shopify_store.webhook_secret not in ("", "shpss-visible-only-on-reveal")
    assert shopify_store.previous_webhook_secret == "shpss-visible-only-on-reveal"
    assert AuditEvent.objects.filter(action="store.webhook_secret_rotated").exists()

    old = post_shopify(
        client, shopify_store, shopify_order(), secret="shpss-visible-only-on-reveal"
    )
    assert old.status_code == 200
    new = post_shopify(
        client,
        shopify_store,
        shopify_order(order_id=2, name="#1002"),
        secret=shopify_store.webhook_secret,
    )
    assert new.status_code == 200


def test_rotation_takes_the_secret_the_shop_shows(admin_client, shopify_store):
    admin_client.post(
        _store_url(shopify_store, "store-secret-rotate"), {"secret": "from-shopify"}
    )
    shopify_store.refresh_from_db()
    assert shopify_store.webhook_secret == "from-shopify"


def test_a_test_webhook_is_verified_and_read_and_records_nothing(
    admin_client, shopify_store
):
    response = admin_client.post(_store_url(shopify_store, "store-webhook-test"))
    assert response.status_code == 200
    text = response.content.decode()
    assert "Accepted" in text
    assert "#TEST-1001" in text
    assert not InboundDelivery.objects.exists()


def test_a_test_webhook_signed_with_another_secret_is_refused(
    admin_client, shopify_store
):
    response = admin_client.post(
        _store_url(shopify_store, "store-webhook-test"), {"secret": "not-ours"}
    )
    text = response.content.decode()
    assert "Refused (401)" in text
    assert "X-Shopify-Hmac-Sha256 does not match the body" in text


@pytest.mark.parametrize("platform", [Source.WOOCOMMERCE, Source.MANUAL])
def test_a_test_webhook_works_for_every_platform(admin_client, store, platform):
    store.platform = platform
    store.save()
    response = admin_client.post(_store_url(store, "store-webhook-test"))
    assert "Accepted" in response.content.decode()


def test_the_store_and_its_pickup_address_are_saved_as_fields(
    admin_client, admin_member, store
):
    response = admin_client.post(
        _store_url(store),
        {
            "name": "Nordic Goods SE",
            "platform": "woocommerce",
            "domain": "https://shop.example",
            "currency": "sek",
            "reconcile_every_minutes": "15",
            "pickup_name": "Warehouse",
            "pickup_line1": "Lagergatan 3",
            "pickup_postal_code": "41101",
            "pickup_city": "Göteborg",
            "pickup_country": "se",
        },
    )
    assert response.status_code == 302
    store.refresh_from_db()
    assert store.name == "Nordic Goods SE"
    assert store.currency == "SEK"
    assert store.pickup_address == {
        "name": "Warehouse",
        "line1": "Lagergatan 3",
        "postal_code": "41101",
        "city": "Göteborg",
        "country": "SE",
    }
    event = AuditEvent.objects.get(action="store.updated")
    assert event.actor == admin_member
    assert "pickup_address" in event.data["fields"]


def test_an_incomplete_pickup_address_is_400_naming_the_field(admin_client, store):
    response = admin_client.post(
        _store_url(store),
        {
            "name": store.name,
            "platform": "manual",
            "currency": "EUR",
            "reconcile_every_minutes": "0",
            "pickup_line1": "Lagergatan 3",
        },
    )
    assert response.status_code == 400
    assert "City is required." in response.content.decode()


def test_api_credentials_are_write_only(admin_client, store):
    store.api_token = "shpat-token-never-shown"
    store.save()
    page = admin_client.get(_store_url(store)).content.decode()
    assert "shpat-token-never-shown" not in page
    admin_client.post(
        _store_url(store),
        {
            "name": store.name,
            "platform": "manual",
            "currency": "EUR",
            "reconcile_every_minutes": "0",
            "api_token": "",
        },
    )
    store.refresh_from_db()
    assert store.api_token == "shpat-token-never-shown"


def test_an_admin_adds_a_store_with_its_own_secret(admin_client, merchant):
    response = admin_client.post(
        reverse("workspace:settings:store-create"),
        {
            "name": "Pop-up",
            "platform": "shopify",
            "currency": "EUR",
            "reconcile_every_minutes": "0",
        },
    )
    assert response.status_code == 302
    created = Store.objects.get(name="Pop-up")
    assert created.merchant == merchant
    assert len(created.webhook_secret) > 30
    assert AuditEvent.objects.filter(action="store.created").exists()


def test_the_business_time_zone_is_saved(admin_client, merchant):
    response = admin_client.post(
        reverse("workspace:settings:business"),
        {"name": merchant.name, "timezone": "Europe/Oslo", "default_currency": "NOK"},
    )
    assert response.status_code == 302
    merchant.refresh_from_db()
    assert (merchant.timezone, merchant.default_currency) == ("Europe/Oslo", "NOK")


def test_the_customers_language_is_a_store_setting(admin_client, store):
    fields = {
        "name": store.name,
        "platform": "manual",
        "currency": "SEK",
        "reconcile_every_minutes": "0",
    }

    admin_client.post(_store_url(store), {**fields, "language": "sv"})
    store.refresh_from_db()
    assert store.language == "sv"

    # A post without it leaves it; one we do not write in is refused.
    admin_client.post(_store_url(store), fields)
    response = admin_client.post(_store_url(store), {**fields, "language": "xx"})
    assert response.status_code == 400
    store.refresh_from_db()
    assert store.language == "sv"
