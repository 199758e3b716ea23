"""The customer portal: signed-in customers browse their dashboard, order detail
and invoice list against a merchant with 100,000 orders and 50,000 invoices.

Seeded with set-based SQL (generate_series), like orders_list and invoices:

- 5,000 customers; 12,500 orders go to 50 heavy customers (250 each), the rest
  spread over the others (~18 each); 800 days of history (the oldest fall outside
  the portal's 24-month window); recent orders are still under way, older ones
  delivered, complete or cancelled;
- 1-4 lines per order; an OrderEvent per step of each order's status path;
- a shipment with 3-5 tracking events for shipped orders and for the tracked
  delivered/complete orders of the last 180 days;
- 50,000 issued invoices of confirmed-or-later orders (lines copied from the
  order), payments for most (the rest pending or overdue); the invoice tables
  refuse UPDATE and DELETE, so every row is inserted final;
- 200 portal sign-ins: the 50 heavy customers and 150 others.

Then, through the real server (uvicorn, 2 workers), 4 keep-alive connections send
300 requests per page kind (after 30 to warm up), each as one of the 200 customers
(session cookies from `Client.force_login`): GET /portal/, /portal/orders/<id>/ of
one of their own orders, /portal/invoices/; then 100 per page kind on one
connection (`*_solo_*`: each page's own time, without queueing).

Query counts per page (heaviest customer vs a light one) are taken in-process with
the Django test client and `CaptureQueriesContext`: a count that differs means a
query per row shown.
"""

import asyncio
import random
import time

from bench import common, http_client, orders_list, portal_seed
from bench.portal_seed import CUSTOMERS, INVOICES, ORDERS

WARMUP = common.sized(30, 3)
REQUESTS = common.sized(300, 10)
CONCURRENCY = 4
SOLO = common.sized(100, 5)  # then requests on one connection, one after another
TARGETS = {
    "dashboard_p95_ms": ("<", 200),
    "order_detail_p95_ms": ("<", 200),
    "invoice_list_p95_ms": ("<", 200),
}
PAGES = ("dashboard", "order_detail", "invoice_list")


def run() -> dict[str, float]:
    from django.core.management import call_command
    from django.db import connection, transaction

    # DEBUG is off: templates need the static files' manifest, as deployed.
    call_command("collectstatic", interactive=False, verbosity=0)
    store, _u, _t = orders_list._tenant_create(
        "Bench Portal", "bench-portal", staff=False
    )
    account = portal_seed.courier_account(store)
    started = time.perf_counter()
    with connection.cursor() as cursor:
        orders_list._customers_seed(cursor, store, CUSTOMERS)
        portal_seed.orders_seed(cursor, store)
        portal_seed.lines_seed(cursor, store)
        portal_seed.events_seed(cursor, store)
        portal_seed.shipments_seed(cursor, store, account)
        # Invoices and their lines in one transaction, as issuing writes them (a
        # line is refused after it: invoices migration 0006).
        with transaction.atomic():
            portal_seed.invoices_seed(cursor, store)
    users = portal_seed.sign_ins_create(store)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    seed_seconds = time.perf_counter() - started

    counts = _query_counts(store, users)
    cookies = {user.pk: _session_cookie(user) for user in users}
    plans = _plans(users, cookies, random.Random(11))
    results = {}
    tally = common.StatementTally()
    with common.web_server("portal") as server:
        for page in PAGES:
            asyncio.run(_measure(server.url, plans[page][:WARMUP]))
            web, database = server.cpu_seconds(), common.database_cpu_seconds()
            with tally:
                results[page] = asyncio.run(_measure(server.url, plans[page][WARMUP:]))
            results[page]["web_cpu_ms"] = _per_request(server.cpu_seconds() - web)
            results[page]["db_cpu_ms"] = _per_request(
                common.database_cpu_seconds() - database
            )
            # One connection: the page's own time, without queueing behind the
            # other connections on two cores.
            solo = plans[page][WARMUP : WARMUP + SOLO]
            results[page]["solo"] = asyncio.run(_measure(server.url, solo, 1))
    metrics = {
        "customers": CUSTOMERS,
        "orders": ORDERS,
        "invoices": INVOICES,
        "seed_s": round(seed_seconds, 1),
    }
    for page in PAGES:
        metrics[f"{page}_p50_ms"] = results[page]["p50_ms"]
        metrics[f"{page}_p95_ms"] = results[page]["p95_ms"]
    for page in PAGES:
        metrics[f"{page}_solo_p50_ms"] = results[page]["solo"]["p50_ms"]
        metrics[f"{page}_solo_p95_ms"] = results[page]["solo"]["p95_ms"]
    for page in PAGES:
        metrics[f"{page}_web_cpu_ms"] = results[page]["web_cpu_ms"]
        metrics[f"{page}_db_cpu_ms"] = results[page]["db_cpu_ms"]
    # The event is one page view, of any of the pages.
    metrics.update(common.views_per_event(results, REQUESTS, tally))
    metrics.update(counts)
    return metrics


def _per_request(seconds: float) -> float:
    return round(seconds / REQUESTS * 1000, 2)


# --- Measuring ---------------------------------------------------------------------


def _session_cookie(user) -> str:
    from django.conf import settings
    from django.test import Client

    from portal.session import LAST_SEEN

    client = Client()
    client.force_login(user)
    session = client.session  # as after a first page: the idle clock started
    session[LAST_SEEN] = int(time.time())
    session.save()
    name = settings.SESSION_COOKIE_NAME
    return f"{name}={client.cookies[name].value}"


def _plans(users, cookies, rng: random.Random) -> dict[str, list]:
    """Per page kind, WARMUP + REQUESTS (method, path, headers, body), spread
    round-robin over the signed-in customers (order ids: each one's own, in the
    portal's window)."""
    from portal.selectors import portal_orders

    own = {
        user.pk: list(portal_orders(user).values_list("pk", flat=True)[:500])
        for user in users
    }
    plans = {page: [] for page in PAGES}
    order = list(users)
    rng.shuffle(order)
    for n in range(WARMUP + REQUESTS):
        user = order[n % len(order)]
        headers = [("Cookie", cookies[user.pk]), ("Accept", "text/html")]
        plans["dashboard"].append(("GET", "/portal/", headers, b""))
        order_id = rng.choice(own[user.pk])
        plans["order_detail"].append(
            ("GET", f"/portal/orders/{order_id}/", headers, b"")
        )
        plans["invoice_list"].append(("GET", "/portal/invoices/", headers, b""))
    return plans


async def _measure(
    base_url: str, requests: list, concurrency: int = CONCURRENCY
) -> dict[str, float]:
    _seconds, results = await http_client.run_load(base_url, requests, concurrency)
    for status, _latency, body in results:
        if status != 200:
            raise RuntimeError(f"A portal page answered {status}: {body[:300]}")
    return common.percentiles_ms([latency for _s, latency, _b in results], 50, 95)


def _query_counts(store, users) -> dict[str, int]:
    """Queries per page for the signed-in customer with the most orders and the
    one with the fewest among those with the same kinds of rows to show (an order
    under way, a shipped order with tracking, an invoice), so that a difference
    means a query per row, not a list that is empty for one of them."""
    from django.db import connection
    from django.db.models import Count, Q
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from orders.models import Customer
    from orders.state_machine import OPEN
    from portal.selectors import portal_orders

    ranked = (
        Customer.objects.filter(merchant_id=store.merchant_id, user__isnull=False)
        .annotate(
            n=Count("orders", distinct=True),
            open=Count("orders", filter=Q(orders__status__in=OPEN), distinct=True),
            tracked=Count(
                "orders", filter=~Q(orders__tracking_number=""), distinct=True
            ),
            billed=Count(
                "orders", filter=Q(orders__invoices__isnull=False), distinct=True
            ),
        )
        .filter(open__gt=0, tracked__gt=0, billed__gt=0)
        .select_related("user")
        .order_by("-n", "pk")
    )
    heavy, light = ranked.first(), ranked.last()
    counts = {}
    for label, customer in (("light", light), ("heavy", heavy)):
        user = customer.user
        client = Client(HTTP_HOST="localhost")
        client.force_login(user)
        tracked = (
            portal_orders(user)
            .filter(shipments__isnull=False)
            .values_list("pk", flat=True)
            .first()
        )
        pages = {
            "dashboard": "/portal/",
            "order_detail": f"/portal/orders/{tracked}/",
            "invoice_list": "/portal/invoices/",
        }
        for page, path in pages.items():
            client.get(path)  # the session's first touch writes it; not counted
            with CaptureQueriesContext(connection) as queries:
                response = client.get(path)
            if response.status_code != 200:
                raise RuntimeError(f"GET {path} answered {response.status_code}")
            counts[f"{page}_queries_{label}"] = len(queries)
    counts["heavy_orders"] = heavy.n
    counts["light_orders"] = light.n
    return counts
