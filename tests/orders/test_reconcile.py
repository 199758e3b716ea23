"""Catching up from the shops' APIs (orders.reconcile): a pytest-httpserver speaks
Shopify's Admin REST API and WooCommerce's REST API v3."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone
from werkzeug import Response

from orders.ingestion import fetch, shopify, woocommerce
from orders.models import Order, OrderEvent
from orders.reconcile import OVERLAP, store_reconcile
from orders.services import order_upsert_from_webshop
from orders.state_machine import OrderStatus
from tests.orders.payloads import shopify_order, woo_order
from tests.orders.shops import (
    SHOPIFY_PATH,
    WOO_PATH,
    json_response,
    requests_made,
    serve_shopify,
    serve_woocommerce,
)
from tests.racing import rows_locked_elsewhere

pytestmark = pytest.mark.django_db

SINCE = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
NOT_WAITING = []


def as_webhook(store, parse, payload):
    """What an earlier webhook delivery left behind."""
    incoming = parse(payload, default_currency=store.currency)
    return order_upsert_from_webshop(store=store, incoming=incoming, actor_label="x")[0]


def reconcile(store, **options):
    waits = []
    result = store_reconcile(store=store, wait=waits.append, **options)
    return result, waits


# --- Shopify ---------------------------------------------------------------------


def test_shopify_missed_orders_are_created_and_updated_stale_ones_kept(
    shopify_store, httpserver
):
    """Two pages: a missed order is created, a newer version updates ours, and an
    older version than we hold changes nothing."""
    store = shopify_store
    as_webhook(store, shopify.parse_order, shopify_order(2, "#1002"))
    newer = shopify_order(3, "#1003", updated_at="2026-11-21T10:00:00-05:00")
    as_webhook(store, shopify.parse_order, newer)
    serve_shopify(
        httpserver,
        [
            [
                shopify_order(1, "#1001"),
                shopify_order(
                    2,
                    "#1002",
                    financial_status="paid",
                    total_price="650.00",
                    updated_at="2026-11-21T09:00:00-05:00",
                ),
            ],
            [shopify_order(3, "#1003", total_price="1.00")],
        ],
    )

    result, waits = reconcile(store, since=SINCE)

    assert not result.error
    assert result.counts == {
        "fetched": 3,
        "created": 1,
        "updated": 1,
        "unchanged": 1,
        "failed": 0,
    }
    assert (result.created, result.updated, result.unchanged) == (["1"], ["2"], ["3"])
    created = Order.objects.get(store=store, external_id="1")
    assert (created.order_number, created.amount, created.currency) == (
        "#1001",
        Decimal("598.94"),
        "SEK",
    )
    assert created.events.get(kind=OrderEvent.Kind.CREATED).actor_label == (
        "Shopify (catch-up)"
    )
    updated = Order.objects.get(store=store, external_id="2")
    assert updated.amount == Decimal("650.00")
    assert updated.status == OrderStatus.PAYMENT_VERIFIED
    assert Order.objects.get(store=store, external_id="3").amount == Decimal("598.94")
    first, second = requests_made(httpserver)
    assert first.headers["X-Shopify-Access-Token"] == "shpat-test"
    assert first.args.to_dict() == {
        "status": "any",
        "updated_at_min": "2026-11-20T12:00:00+00:00",
        "limit": "250",
    }
    assert second.headers["X-Shopify-Access-Token"] == "shpat-test"
    assert second.args.to_dict() == {"limit": "250", "page_info": "page1"}
    assert waits == NOT_WAITING
    store.refresh_from_db()
    assert store.reconciled_at == result.started_at


def test_shopify_429_is_waited_out_as_retry_after_says(shopify_store, httpserver):
    """A 429 waits Retry-After seconds and asks again."""
    httpserver.expect_oneshot_request(SHOPIFY_PATH).respond_with_response(
        json_response(
            {"errors": "Exceeded 2 calls per second"}, 429, {"Retry-After": "2.0"}
        )
    )
    serve_shopify(httpserver, [[shopify_order(1, "#1001")]])

    result, waits = reconcile(shopify_store, since=SINCE)

    assert not result.error
    assert result.created == ["1"]
    assert waits == [2.0]
    assert len(requests_made(httpserver)) == 2


def test_shopify_endless_429_ends_the_run_after_bounded_waits(
    shopify_store, httpserver
):
    httpserver.expect_request(SHOPIFY_PATH).respond_with_response(
        json_response({"errors": "Exceeded"}, 429, {"Retry-After": "600"})
    )

    result, waits = reconcile(shopify_store, since=SINCE)

    assert "still rate limited" in result.error
    assert waits == [fetch.MAX_WAIT_SECONDS] * fetch.MAX_RETRIES


def test_shopify_nearly_full_call_bucket_slows_down(shopify_store, httpserver):
    """X-Shopify-Shop-Api-Call-Limit near its limit: wait before the next page."""
    after = httpserver.url_for(SHOPIFY_PATH)
    httpserver.expect_oneshot_request(SHOPIFY_PATH).respond_with_response(
        json_response(
            {"orders": []},
            headers={
                "X-Shopify-Shop-Api-Call-Limit": "39/40",
                "Link": f'<{after}?limit=250&page_info=page1>; rel="next"',
            },
        )
    )
    serve_shopify(httpserver, [[], []])

    result, waits = reconcile(shopify_store, since=SINCE)

    assert not result.error
    assert waits == [1.5]


def test_shopify_bad_token_is_a_clear_error_and_nothing_changes(
    shopify_store, httpserver
):
    """401: the run stops with a message about the credentials; nothing is applied
    and the store's catch-up time stays."""
    before = timezone.now() - timedelta(hours=2)
    shopify_store.reconciled_at = before
    shopify_store.save()
    serve_shopify(httpserver, [[shopify_order(1)]], token="another-token")

    result, _ = reconcile(shopify_store)

    assert result.error.startswith("401 from ")
    assert "refused the store's API credentials" in result.error
    assert result.counts["fetched"] == 0
    assert not Order.objects.exists()
    shopify_store.refresh_from_db()
    assert shopify_store.reconciled_at == before
    # From the last catch-up, a little earlier.
    asked = requests_made(httpserver)[0].args["updated_at_min"]
    assert (
        asked == (before - OVERLAP).astimezone(UTC).replace(microsecond=0).isoformat()
    )


@pytest.mark.parametrize(
    ("answer", "says"),
    [
        (json_response({"errors": "boom"}, 502), "502 from "),
        (Response("<html>maintenance</html>", 200), "not JSON"),
        (json_response({"order": []}), "'orders' is not a list"),
        (
            Response("", 301, {"Location": "https://elsewhere.example/orders.json"}),
            "the shop's API is at https://elsewhere.example/orders.json; set",
        ),
    ],
)
def test_shop_answers_that_end_the_run(shopify_store, httpserver, answer, says):
    httpserver.expect_request(SHOPIFY_PATH).respond_with_response(answer)

    result, _ = reconcile(shopify_store, since=SINCE)

    assert says in result.error
    shopify_store.refresh_from_db()
    assert shopify_store.reconciled_at is None


def test_unreachable_shop_ends_the_run(shopify_store):
    shopify_store.domain = "http://127.0.0.1:9"  # discard: nothing listens
    result, _ = reconcile(shopify_store, since=SINCE)
    assert "is unreachable" in result.error


def test_one_bad_order_does_not_stop_the_others(shopify_store, httpserver):
    bad = shopify_order(2, "#1002", line_items=[{"title": "Mug", "quantity": 0}])
    serve_shopify(
        httpserver, [[shopify_order(1, "#1001"), bad, shopify_order(3, "#1003")]]
    )

    result, _ = reconcile(shopify_store, since=SINCE)

    assert result.created == ["1", "3"]
    assert result.failed == [
        ("2", "'line_items[0].quantity' must be a positive integer.")
    ]
    shopify_store.refresh_from_db()
    assert shopify_store.reconciled_at == result.started_at


def test_running_the_same_catch_up_again_changes_nothing(shopify_store, httpserver):
    serve_shopify(
        httpserver, [[shopify_order(1, "#1001")], [shopify_order(2, "#1002")]]
    )
    reconcile(shopify_store, since=SINCE)
    events = OrderEvent.objects.count()

    again, _ = reconcile(shopify_store, since=SINCE)

    assert again.counts == {
        "fetched": 2,
        "created": 0,
        "updated": 0,
        "unchanged": 2,
        "failed": 0,
    }
    assert Order.objects.count() == 2
    assert OrderEvent.objects.count() == events


def test_dry_run_counts_and_writes_nothing(shopify_store, httpserver):
    serve_shopify(httpserver, [[shopify_order(1, "#1001")]])

    result, _ = reconcile(shopify_store, since=SINCE, dry_run=True)

    assert result.created == ["1"]
    assert not Order.objects.exists()
    shopify_store.refresh_from_db()
    assert shopify_store.reconciled_at is None


def test_without_since_it_starts_a_week_back(shopify_store, httpserver):
    serve_shopify(httpserver, [[]])
    result, _ = reconcile(shopify_store)
    assert result.started_at - result.since == timedelta(days=7)


# --- WooCommerce -----------------------------------------------------------------


def test_woocommerce_pages_are_read_with_basic_auth_since_the_moment(
    woo_store, httpserver
):
    """X-WP-TotalPages pages, basic auth, modified_after in UTC: the order the
    webhooks missed is created, the one we hold is brought up to date."""
    as_webhook(woo_store, woocommerce.parse_order, woo_order(727))
    serve_woocommerce(
        httpserver,
        [
            [
                woo_order(
                    727, status="completed", date_modified_gmt="2026-11-21T08:00:00"
                )
            ],
            [woo_order(728, total="99.00")],
        ],
    )
    since = datetime(2026, 11, 20, 13, 30, 15, 123456, tzinfo=UTC)

    result, _ = reconcile(woo_store, since=since)

    assert not result.error
    assert (result.created, result.updated) == (["728"], ["727"])
    missed = Order.objects.get(store=woo_store, external_id="728")
    assert (missed.amount, missed.currency) == (Decimal("99.00"), "NOK")
    assert missed.status == OrderStatus.PAYMENT_VERIFIED
    assert Order.objects.get(external_id="727").status == OrderStatus.SHIPPED
    pages = requests_made(httpserver)
    assert [request.args["page"] for request in pages] == ["1", "2"]
    for request in pages:
        assert request.authorization.type == "basic"
        assert (request.authorization.username, request.authorization.password) == (
            "ck_test",
            "cs_test",
        )
        assert request.args["modified_after"] == "2026-11-20T13:30:15"
        assert request.args["dates_are_gmt"] == "true"
        assert request.args["per_page"] == "100"
        assert (request.args["orderby"], request.args["order"]) == ("id", "asc")


def test_woocommerce_stops_at_an_empty_page_without_a_page_count(woo_store, httpserver):
    httpserver.expect_oneshot_request(WOO_PATH).respond_with_json([woo_order(1)])
    httpserver.expect_oneshot_request(WOO_PATH).respond_with_json([])

    result, _ = reconcile(woo_store, since=SINCE)

    assert result.created == ["1"]
    assert len(requests_made(httpserver)) == 2


def test_woocommerce_without_keys_is_a_clear_error(woo_store):
    woo_store.api_secret = ""
    result, _ = reconcile(woo_store, since=SINCE)
    assert result.error.startswith("The store has no REST API keys")


# --- The shop's address ------------------------------------------------------------


@pytest.mark.parametrize(
    ("domain", "url"),
    [
        ("nordic.myshopify.com", "https://nordic.myshopify.com"),
        ("https://shop.example.com/", "https://shop.example.com"),
        ("https://example.com/shop", "https://example.com/shop"),
        ("http://127.0.0.1:8123", "http://127.0.0.1:8123"),
    ],
)
def test_store_domain_is_a_host_or_a_url(domain, url):
    assert fetch.store_base_url(domain) == url


@pytest.mark.parametrize(
    "domain", ["", "http://shop.example.com", "ftp://shop.example.com"]
)
def test_store_domains_that_are_refused(domain):
    with pytest.raises(fetch.FetchError):
        fetch.store_base_url(domain)


@pytest.mark.django_db(transaction=True)
def test_a_database_failure_stops_the_run_without_catching_up(
    shopify_store, httpserver
):
    """An order locked elsewhere past the lock timeout is the database failing, not
    the order: the run stops and the store is not caught up."""
    held = as_webhook(shopify_store, shopify.parse_order, shopify_order(1, "#1001"))
    newer = shopify_order(1, "#1001", updated_at="2026-11-22T10:00:00-05:00")
    serve_shopify(httpserver, [[newer]])
    with rows_locked_elsewhere(Order.objects.filter(pk=held.pk)):
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '100ms'")
        try:
            result, _ = reconcile(shopify_store, since=SINCE)
        finally:
            with connection.cursor() as cursor:
                cursor.execute("RESET lock_timeout")

    assert result.error.startswith("The database failed (")
    assert result.failed == []
    shopify_store.refresh_from_db()
    assert shopify_store.reconciled_at is None
