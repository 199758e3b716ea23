"""`manage.py webshop_reconcile`: what it prints and how it exits."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from orders.management.commands.webshop_reconcile import Command
from orders.models import Order
from tests.orders.payloads import shopify_order
from tests.orders.shops import requests_made, serve_shopify

pytestmark = pytest.mark.django_db


def run(store, *args):
    out = StringIO()
    call_command("webshop_reconcile", "--store", str(store.pk), *args, stdout=out)
    return out.getvalue()


def test_prints_the_counts_and_catches_the_store_up(shopify_store, httpserver):
    serve_shopify(httpserver, [[shopify_order(1, "#1001"), shopify_order(2, "#1002")]])

    out = run(shopify_store, "--since", "2026-11-20T12:00:00Z", "--verbosity", "2")

    assert "Nordic Goods (store" in out
    assert "since 2026-11-20T12:00:00+00:00" in out
    assert "fetched 2, created 2, updated 0, unchanged 0, failed 0" in out
    assert "created: 1, 2" in out
    shopify_store.refresh_from_db()
    assert f"Caught up to {shopify_store.reconciled_at.isoformat()}." in out


def test_a_date_is_midnight_in_the_merchants_time_zone(shopify_store, httpserver):
    serve_shopify(httpserver, [[]])
    run(shopify_store, "--since", "2026-11-20")
    (request,) = requests_made(httpserver)
    # Europe/Stockholm, UTC+1 in November.
    assert request.args["updated_at_min"] == "2026-11-19T23:00:00+00:00"


def test_a_dry_run_says_so_and_writes_nothing(shopify_store, httpserver):
    serve_shopify(httpserver, [[shopify_order(1, "#1001")]])

    out = run(shopify_store, "--dry-run")

    assert "dry run, nothing is written" in out
    assert "created 1" in out
    assert "Caught up" not in out
    assert not Order.objects.exists()


def test_failed_orders_are_listed_and_exit_with_2(shopify_store, httpserver):
    bad = shopify_order(2, "#1002", currency="kronor")
    serve_shopify(httpserver, [[shopify_order(1, "#1001"), bad]])
    out = StringIO()

    with pytest.raises(CommandError) as raised:
        call_command("webshop_reconcile", "--store", str(shopify_store.pk), stdout=out)

    assert raised.value.returncode == 2
    assert "fetched 2, created 1, updated 0, unchanged 0, failed 1" in out.getvalue()
    assert "failed 2: 'currency' must be an ISO 4217 code" in out.getvalue()


# run_from_argv closes the database connections when it ends, as manage.py does.
@pytest.mark.django_db(transaction=True)
def test_bad_credentials_exit_with_1_and_a_message_not_a_traceback(
    shopify_store, httpserver, capsys
):
    serve_shopify(httpserver, [[shopify_order(1)]], token="another")
    before = timezone.now() - timedelta(days=1)
    shopify_store.reconciled_at = before
    shopify_store.save()

    with pytest.raises(SystemExit) as exited:
        Command().run_from_argv(
            ["manage.py", "webshop_reconcile", "--store", str(shopify_store.pk)]
        )

    assert exited.value.code == 1
    printed = capsys.readouterr()
    assert "fetched 0, created 0" in printed.out
    assert "CommandError: Stopped: 401 from " in printed.err
    assert "The store's catch-up time is unchanged." in printed.err
    assert "Traceback" not in printed.err
    shopify_store.refresh_from_db()
    assert shopify_store.reconciled_at == before


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--since", "last tuesday"], "is not an ISO 8601 date"),
        (["--since", "2999-01-01"], "is in the future"),
    ],
)
def test_a_since_that_is_not_usable_is_refused(shopify_store, args, says):
    with pytest.raises(CommandError, match=says):
        run(shopify_store, *args)


def test_an_unknown_store_is_refused(db):
    with pytest.raises(CommandError, match="No store 999999"):
        call_command("webshop_reconcile", "--store", "999999")


def test_a_store_that_is_not_a_webshop_is_refused(store):
    with pytest.raises(CommandError, match="only Shopify and WooCommerce"):
        run(store)
