"""The home dashboard (`GET /`) for a staff member of a store with 100,000 orders.

Seeded with set-based SQL (generate_series), like orders_list and portal:

- the orders of orders_list (100,000 over 46 days, plus another merchant's 20,000
  interleaved), with their lines;
- a booked shipment for every tracked order: delivered ones 1-5 days after booking
  against a promise of 3 days (so some are late), one in 20 of those on their way
  flagged stuck, the courier exceptions of the orders as exceptions;
- a conversation for every 4th order, answered after 5 minutes to 8 hours, one in
  ten still awaiting a reply;
- the 50,000 invoices of bench/portal.py (most paid, the rest pending or overdue).

Then the page through the real server (uvicorn, 2 workers), one request after
another on one keep-alive connection, signed in with a session cookie: as users
see it (the closed days' figures kept for the slot: `p95_ms`), and with those
figures dropped before every request (`cold_p95_ms`: each view the first of its
slot). The page's query count is taken in-process (Django test client,
CaptureQueriesContext), both ways.
"""

import time

from bench import common, http_client, orders_list, portal, portal_seed

ORDERS = orders_list.ORDERS
WARMUP = common.sized(20, 2)
REQUESTS = common.sized(300, 10)
THREAD_EVERY = 4
TARGETS = {"p95_ms": ("<", 200), "cold_p95_ms": ("<", 200)}


def run() -> dict[str, float]:
    from django.core.management import call_command
    from django.db import connection, transaction

    # DEBUG is off: templates need the static files' manifest, as deployed.
    call_command("collectstatic", interactive=False, verbosity=0)
    store, staff, _token = orders_list._tenant_create(
        "Bench Goods", "bench-goods", staff=True
    )
    other_store, _u, _t = orders_list._tenant_create(
        "Other Goods", "other-goods", staff=False
    )
    account = portal_seed.courier_account(store)
    started = time.perf_counter()
    with connection.cursor() as cursor:
        orders_list.tenants_seed(cursor, store, staff, other_store)
        portal_seed.lines_seed(cursor, store)
        _shipments_seed(cursor, store, account)
        _threads_seed(cursor, store)
        with transaction.atomic():
            portal_seed.invoices_seed(cursor, store)
        cursor.execute("VACUUM ANALYZE")
    seed_seconds = time.perf_counter() - started

    queries = _query_count(staff)
    queries_cold = _query_count(staff, forget=True)
    cookie = portal._session_cookie(staff)
    cold = orders_list.one_after_another(
        "dashboard",
        lambda url, count: _measure(url, cookie, count, forget=True),
        warmup=WARMUP,
        requests=REQUESTS,
    )
    return {
        "orders": ORDERS,
        "seed_s": round(seed_seconds, 1),
        "queries": queries,
        "queries_cold": queries_cold,
        **orders_list.one_after_another(
            "dashboard",
            lambda url, count: _measure(url, cookie, count),
            warmup=WARMUP,
            requests=REQUESTS,
        ),
        **{f"cold_{name}": value for name, value in cold.items()},
    }


def _shipments_seed(cursor, store, account) -> None:
    cursor.execute(
        """
        INSERT INTO shipments_shipment
            (order_id, merchant_id, account_id, service_code, service_type,
             tracking_number, courier_reference, label, price, currency, sender,
             recipient, parcels, status, raw_status, estimated_delivery,
             promised_delivery, last_event_at, delivered_at, next_poll_at,
             poll_failures, stuck, created_at, updated_at)
        SELECT id, merchant_id, %(account)s, 'SBX_HOME', 'home_delivery',
               tracking_number, '', '', 79, 'SEK', '{"name": "Bench Goods"}'::jsonb,
               delivery_address, '[{"weight_kg": 1.2}]'::jsonb, tracking_status,
               upper(tracking_status), (placed_at + interval '3 days')::date,
               (placed_at + interval '3 days')::date, placed_at + interval '1 day',
               CASE WHEN tracking_status = 'delivered'
                    THEN LEAST(now(), placed_at + (1 + id %% 5) * interval '1 day')
               END,
               CASE WHEN tracking_status <> 'delivered'
                    THEN now() + interval '1 hour' END,
               0, tracking_status = 'in_transit' AND id %% 20 = 0,
               placed_at, placed_at
        FROM orders_order
        WHERE merchant_id = %(merchant)s AND tracking_number <> ''
        ORDER BY id
        """,
        {"merchant": store.merchant_id, "account": account.pk},
    )


def _threads_seed(cursor, store) -> None:
    cursor.execute(
        """
        INSERT INTO messaging_thread
            (order_id, merchant_id, store_id, token, status, created_at,
             last_message_id, last_public_message_id, last_message_at,
             last_inbound_channel, awaiting_reply_since, first_inbound_at,
             first_response_at)
        SELECT id, merchant_id, store_id, substr(md5('bench' || id), 1, 32),
               CASE WHEN id %% 3 = 0 THEN 'closed' ELSE 'open' END, placed_at,
               id, id, placed_at + interval '2 hours', 'email',
               CASE WHEN id %% 10 = 0 THEN placed_at + interval '1 hour' END,
               placed_at + interval '1 hour',
               CASE WHEN id %% 10 <> 0
                    THEN placed_at + interval '1 hour'
                         + (5 + id %% 475) * interval '1 minute' END
        FROM orders_order
        WHERE merchant_id = %(merchant)s AND id %% %(every)s = 0
        ORDER BY id
        """,
        {"merchant": store.merchant_id, "every": THREAD_EVERY},
    )


async def _measure(
    base_url: str, cookie: str, count: int, *, forget: bool = False
) -> list[float]:
    """Latency of each request, sent one after another on one connection.
    `forget`: the closed days' figures kept in the cache are dropped before each
    (every view is the first of its slot: workspace.dashboard.history)."""
    from django.core.cache import cache

    conn = http_client.connection_to(base_url)
    headers = [("Cookie", cookie), ("Accept", "text/html")]
    latencies = []
    try:
        for _ in range(count):
            if forget:
                cache.clear()
            started = time.perf_counter()
            status, body = await conn.request("GET", "/", headers)
            elapsed = time.perf_counter() - started
            if status != 200 or b"data-stat=" not in body:
                raise RuntimeError(f"GET / answered {status}: {body[:300]}")
            latencies.append(elapsed)
    finally:
        await conn.close()
    return latencies


def _query_count(user, *, forget: bool = False) -> int:
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    client.get("/")
    if forget:
        cache.clear()
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/")
    if response.status_code != 200:
        raise RuntimeError(f"GET / answered {response.status_code}")
    return len(queries)
