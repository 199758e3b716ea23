"""GET /api/orders/ (first page) for a staff member of a store with 100,000 orders.

The orders are seeded with set-based SQL (generate_series): going through the
services would take minutes and measure nothing this scenario is about.
"""

import asyncio
import json
import time

from bench import common, http_client

ORDERS = common.sized(100_000, 500)
NOISE_ORDERS = common.sized(
    20_000, 100
)  # another merchant's, which the staff member must not see
CUSTOMERS = common.sized(10_000, 50)
WARMUP = common.sized(30, 3)
REQUESTS = common.sized(300, 20)
PAGE = 25  # the API's default page size
TARGETS = {"p95_ms": ("<", 30)}

# Per mille of orders in each status, in order; shipped and later carry tracking.
STATUS_MIX = [
    ("pending", 60),
    ("payment_verified", 60),
    ("confirmed", 80),
    ("on_hold", 30),
    ("shipped", 130),
    ("delivered", 150),
    ("complete", 420),
    ("cancelled", 70),
]


def run() -> dict[str, float]:
    from django.db import connection

    store, staff, token = _tenant_create("Bench Goods", "bench-goods", staff=True)
    other_store, _u, _t = _tenant_create("Other Goods", "other-goods", staff=False)
    started = time.perf_counter()
    with connection.cursor() as cursor:
        tenants_seed(cursor, store, staff, other_store)
        cursor.execute("ANALYZE")
    seed_seconds = time.perf_counter() - started
    return {
        "orders": ORDERS,
        "seed_s": round(seed_seconds, 1),
        **one_after_another(
            "orders_list",
            lambda url, count: _measure(url, token, count),
            warmup=WARMUP,
            requests=REQUESTS,
        ),
    }


def tenants_seed(cursor, store, staff, other_store) -> None:
    """ORDERS orders of CUSTOMERS customers in `store` (whose `staff` some are
    assigned to), NOISE_ORDERS of another merchant's interleaved."""
    tenants = [
        (store, ORDERS, CUSTOMERS, staff.pk),
        (other_store, NOISE_ORDERS, CUSTOMERS // 10, None),
    ]
    for tenant_store, _orders, customers, _staff in tenants:
        _customers_seed(cursor, tenant_store, customers)
    _orders_seed(cursor, tenants)


def one_after_another(name: str, measure, *, warmup: int, requests: int) -> dict:
    """Through the real server: `warmup` requests, then `requests` timed, each
    sent after the one before answered (`measure(base_url, count)` is the
    coroutine sending them, returning their latencies). The percentiles and the
    CPU and statements per request."""
    with common.web_server(name) as server:
        asyncio.run(measure(server.url, warmup))
        web, database = server.cpu_seconds(), common.database_cpu_seconds()
        with common.StatementTally() as tally:
            latencies = asyncio.run(measure(server.url, requests))
        web = server.cpu_seconds() - web
        database = common.database_cpu_seconds() - database
    web_ms, db_ms = web / requests * 1000, database / requests * 1000
    return {
        **common.percentiles_ms(latencies, 50, 95, 99),
        "web_cpu_ms": round(web_ms, 2),
        "db_cpu_ms": round(db_ms, 2),
        **common.per_event(requests, tally, web_ms, db_ms),
    }


def _tenant_create(name: str, slug: str, *, staff: bool):
    from django.contrib.auth import get_user_model
    from rest_framework.authtoken.models import Token

    from orders.models import Membership, Merchant, Store

    merchant = Merchant.objects.create(name=name, slug=slug)
    store = Store.objects.create(
        merchant=merchant, name=f"{name} Shopify", platform="shopify", currency="SEK"
    )
    if not staff:
        return store, None, None
    user = get_user_model().objects.create_user(
        username=f"staff@{slug}.example", email=f"staff@{slug}.example"
    )
    Membership.objects.create(user=user, merchant=merchant, role="staff")
    return store, user, Token.objects.create(user=user).key


async def _measure(base_url: str, token: str, count: int) -> list[float]:
    """Latency of each request, sent one after another on one connection."""
    conn = http_client.connection_to(base_url)
    headers = [("Authorization", f"Token {token}"), ("Accept", "application/json")]
    latencies = []
    try:
        for _ in range(count):
            started = time.perf_counter()
            status, body = await conn.request("GET", "/api/orders/", headers)
            elapsed = time.perf_counter() - started
            if status != 200 or len(json.loads(body)["results"]) != PAGE:
                raise RuntimeError(f"GET /api/orders/ answered {status}: {body[:300]}")
            latencies.append(elapsed)
    finally:
        await conn.close()
    return latencies


def _customers_seed(cursor, store, count: int) -> None:
    cursor.execute(
        """
        INSERT INTO orders_customer
            (merchant_id, customer_number, name, email, phone, discord_user_id,
             created_at)
        SELECT %(merchant)s, 'B' || %(store)s || '-' || i, 'Customer ' || i,
               'customer' || i || '@s' || %(store)s || '.example.com',
               '+4670' || lpad((i * 7919 %% 10000000)::text, 7, '0'), '',
               now() - interval '120 days'
        FROM generate_series(1, %(count)s) AS i
        """,
        {"merchant": store.merchant_id, "store": store.pk, "count": count},
    )


def _orders_seed(cursor, tenants) -> None:
    """Every tenant's orders over the same 46 days, interleaved in id order as
    they would be on a shared platform."""
    series, params = [], {}
    for n, (store, orders, customers, staff_id) in enumerate(tenants):
        series.append(
            f"""
            SELECT %(merchant{n})s::bigint AS merchant, %(store{n})s::bigint AS store,
                   i, %(orders{n})s::int AS total, %(customers{n})s::int AS customers,
                   %(staff{n})s::bigint AS staff,
                   (SELECT min(id) FROM orders_customer
                    WHERE merchant_id = %(merchant{n})s) AS first_customer
            FROM generate_series(1, %(orders{n})s) AS i
            """
        )
        params.update(
            {
                f"merchant{n}": store.merchant_id,
                f"store{n}": store.pk,
                f"orders{n}": orders,
                f"customers{n}": customers,
                f"staff{n}": staff_id,
            }
        )
    cursor.execute(
        f"""
        WITH g AS ({" UNION ALL ".join(series)}),
        r AS (SELECT g.*, (i * 2654435761) %% 1000 AS r FROM g),
        s AS (
            SELECT r.*, {_status_case()} AS status,
                   now() - (1 - i::float / total) * interval '46 days' AS placed
            FROM r
        ),
        t AS (
            SELECT s.*,
                   status IN ('shipped', 'delivered', 'complete') AND r %% 5 <> 0
                       AS tracked
            FROM s
        )
        INSERT INTO orders_order
            (merchant_id, store_id, order_number, source, external_id, customer_id,
             status, service, payment_method, amount, currency, notes,
             assigned_staff_id, delivery_address, package, tracking_number, courier,
             tracking_url, tracking_status, tracking_event, label_url, placed_at,
             created_at, updated_at)
        SELECT merchant, store, '#' || (100000 + i), 'shopify',
               (5800000000000 + i)::text, first_customer + i %% customers,
               status, '', 'shopify_payments', 100 + (i %% 2000), 'SEK', '',
               CASE WHEN r %% 3 = 0 THEN staff END,
               jsonb_build_object('name', 'Customer ' || i, 'line1',
                   'Sveavägen ' || (i %% 90 + 1), 'postal_code', '113 46',
                   'city', 'Stockholm', 'country', 'SE'),
               '{{"weight_kg": 1.2, "parcels": 1}}'::jsonb,
               CASE WHEN tracked THEN 'UA' || lpad(i::text, 9, '0') || 'SE'
                    ELSE '' END,
               CASE WHEN tracked THEN 'PostNord' ELSE '' END,
               CASE WHEN tracked
                    THEN 'https://tracking.postnord.com/se/?id=UA' || i ELSE '' END,
               CASE WHEN NOT tracked THEN ''
                    WHEN status <> 'shipped' THEN 'delivered'
                    WHEN r %% 10 = 0 THEN 'exception'
                    ELSE 'in_transit' END,
               '', '', placed, placed, placed
        FROM t
        ORDER BY placed
        """,
        params,
    )


def _status_case() -> str:
    """SQL mapping r (0-999) onto STATUS_MIX."""
    whens, upper = [], 0
    for status, share in STATUS_MIX:
        upper += share
        whens.append(f"WHEN r < {upper} THEN '{status}'")
    return "CASE " + " ".join(whens) + " END"
