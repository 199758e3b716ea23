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

from bench import common, orders_list

CUSTOMERS = common.sized(5_000, 100)
ORDERS = common.sized(100_000, 800)
INVOICES = common.sized(50_000, 400)
HEAVY = common.sized(50, 2)  # customers with ORDERS / HEAVY_EVERY / HEAVY orders each
HEAVY_EVERY = 8  # every 8th order is a heavy customer's: 12,500 -> 250 each
SIGN_INS = common.sized(200, 10)
HISTORY_DAYS = 800
WARMUP = common.sized(30, 3)
REQUESTS = common.sized(300, 10)
CONCURRENCY = 4
SOLO = common.sized(100, 5)  # then requests on one connection, one after another
TARGETS = {
    "dashboard_p95_ms": ("<", 200),
    "order_detail_p95_ms": ("<", 200),
    "invoice_list_p95_ms": ("<", 200),
}
PRODUCTS = [
    ("MUG-01", "Stoneware mug, sand", 189),
    ("SOCK-03", "Wool socks, 3-pack", 249),
    ("THROW-02", "Linen throw, moss", 899),
    ("CANDLE-04", "Beeswax candles, 4 pcs", 129),
    ("BOARD-01", "Oak serving board", 459),
    ("LAMP-02", "Table lamp, opal glass", 1290),
    ("CARAFE-01", "Glass carafe, 1 l", 329),
    ("TOWEL-02", "Waffle towel, oat", 199),
]
# Each final status and the path that led to it.
PATHS = {
    "pending": ["pending"],
    "payment_verified": ["pending", "payment_verified"],
    "confirmed": ["pending", "confirmed"],
    "on_hold": ["pending", "confirmed", "on_hold"],
    "shipped": ["pending", "confirmed", "shipped"],
    "delivered": ["pending", "confirmed", "shipped", "delivered"],
    "complete": ["pending", "confirmed", "shipped", "delivered", "complete"],
    "cancelled": ["pending", "cancelled"],
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
    account = _courier_account(store)
    started = time.perf_counter()
    with connection.cursor() as cursor:
        orders_list._customers_seed(cursor, store, CUSTOMERS)
        _orders_seed(cursor, store)
        _lines_seed(cursor, store)
        _events_seed(cursor, store)
        _shipments_seed(cursor, store, account)
        # Invoices and their lines in one transaction, as issuing writes them (a
        # line is refused after it: invoices migration 0006).
        with transaction.atomic():
            _invoices_seed(cursor, store)
    users = _sign_ins_create(store)
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


# --- Seeding ---------------------------------------------------------------------


def _courier_account(store):
    from shipments.models import CourierAccount

    return CourierAccount.objects.create(
        merchant_id=store.merchant_id,
        courier="sandbox",
        name="Sandbox Post",
        base_url="http://127.0.0.1:9",
        api_key="bench",
    )


def _customer_of_order() -> str:
    """SQL: the customer row number (1-based, by id) of order i."""
    return (
        f"CASE WHEN i %% {HEAVY_EVERY} = 0 THEN 1 + (i / {HEAVY_EVERY}) %% {HEAVY}"
        f" ELSE {HEAVY + 1} + (i * 7919) %% {CUSTOMERS - HEAVY} END"
    )


def _status_by_age() -> str:
    """SQL: the order's final status from its age in days (age) and r (0-999)."""
    return """
        CASE
            WHEN age < 3 THEN (ARRAY['pending', 'payment_verified', 'confirmed',
                                     'confirmed'])[1 + r %% 4]
            WHEN age < 10 THEN (ARRAY['confirmed', 'shipped', 'shipped', 'shipped',
                                      'on_hold'])[1 + r %% 5]
            WHEN age < 20 THEN (ARRAY['shipped', 'delivered', 'delivered',
                                      'complete'])[1 + r %% 4]
            WHEN r < 100 THEN 'cancelled'
            WHEN r < 200 THEN 'delivered'
            ELSE 'complete'
        END
    """


def _line_count(i: str = "i") -> str:
    """SQL: how many lines order i has (1-4)."""
    return f"1 + ({i} * 31 %% 7) %% 4"


def _line_values() -> str:
    """SQL VALUES of the product catalogue, numbered from 0."""
    return ", ".join(
        f"({n}, '{sku}', '{title}', {price})"
        for n, (sku, title, price) in enumerate(PRODUCTS)
    )


def _orders_seed(cursor, store) -> None:
    cursor.execute(
        f"""
        WITH c AS (
            SELECT id, name, row_number() OVER (ORDER BY id) AS rn
            FROM orders_customer WHERE merchant_id = %(merchant)s
        ),
        g AS (
            SELECT i, (i * 2654435761) %% 1000 AS r,
                   (1 - i::float / %(orders)s) * {HISTORY_DAYS} AS age,
                   {_customer_of_order()} AS customer_rn
            FROM generate_series(1, %(orders)s) AS i
        ),
        s AS (
            SELECT g.*, {_status_by_age()} AS status,
                   now() - age * interval '1 day' - interval '10 minutes' AS placed,
                   (SELECT sum(p.price * (1 + (i + k) %% 3))
                    FROM generate_series(0, {_line_count()} - 1) AS k
                    JOIN (VALUES {_line_values()}) AS p(n, sku, title, price)
                      ON p.n = (i + k) %% {len(PRODUCTS)}) AS amount
            FROM g
        ),
        t AS (
            SELECT s.*,
                   (status = 'shipped' OR (status IN ('delivered', 'complete')
                                           AND age < 180 AND r %% 5 <> 0))
                       AS tracked
            FROM s
        )
        INSERT INTO orders_order
            (merchant_id, store_id, order_number, source, external_id, customer_id,
             status, service, payment_method, amount, currency, notes,
             delivery_address, package, tracking_number, courier, tracking_url,
             tracking_status, tracking_event, tracking_event_at, estimated_delivery,
             label_url, placed_at, created_at, updated_at)
        SELECT %(merchant)s, %(store)s, '#' || (100000 + i), 'shopify',
               (5800000000000 + i)::text, c.id, status, '', 'invoice', amount,
               'SEK', '',
               jsonb_build_object('name', c.name, 'line1',
                   'Sveavägen ' || (i %% 90 + 1), 'postal_code', '113 46',
                   'city', 'Stockholm', 'country', 'SE'),
               '{{"weight_kg": 1.2, "parcels": 1}}'::jsonb,
               CASE WHEN tracked THEN 'BP' || lpad(i::text, 9, '0') || 'SE'
                    ELSE '' END,
               CASE WHEN tracked THEN 'Sandbox Post' ELSE '' END,
               CASE WHEN tracked
                    THEN 'https://sandbox.example/track/BP' || i ELSE '' END,
               CASE WHEN NOT tracked THEN ''
                    WHEN status = 'shipped' THEN 'in_transit'
                    ELSE 'delivered' END,
               CASE WHEN NOT tracked THEN ''
                    WHEN status = 'shipped' THEN 'Sorted · Terminal Jönköping'
                    ELSE 'Delivered · Stockholm' END,
               CASE WHEN tracked THEN placed + interval '1 day' END,
               CASE WHEN tracked THEN (placed + interval '3 days')::date END,
               '', placed, placed,
               LEAST(now(), placed + (array_length(
                   (SELECT p FROM (VALUES {_paths_values()}) AS x(s, p)
                    WHERE x.s = status), 1) - 1) * interval '1 day')
        FROM t JOIN c ON c.rn = t.customer_rn
        ORDER BY placed
        """,
        {"merchant": store.merchant_id, "store": store.pk, "orders": ORDERS},
    )


def _paths_values() -> str:
    return ", ".join(
        f"('{status}', ARRAY[{', '.join(repr(step) for step in path)}]::text[])"
        for status, path in PATHS.items()
    )


def _lines_seed(cursor, store) -> None:
    cursor.execute(
        f"""
        INSERT INTO orders_orderline (order_id, sku, title, quantity, unit_price)
        SELECT o.id, p.sku, p.title, 1 + (o.i + k) %% 3, p.price
        FROM (SELECT id, (external_id::bigint - 5800000000000)::int AS i
              FROM orders_order WHERE merchant_id = %(merchant)s) AS o
        CROSS JOIN LATERAL generate_series(0, {_line_count("o.i")} - 1)
            AS k
        JOIN (VALUES {_line_values()}) AS p(n, sku, title, price)
          ON p.n = (o.i + k) %% {len(PRODUCTS)}
        ORDER BY o.id, k
        """,
        {"merchant": store.merchant_id},
    )


def _events_seed(cursor, store) -> None:
    """'created' for the first step, 'status_changed' for each later one, a day
    apart (never in the future)."""
    cursor.execute(
        f"""
        INSERT INTO orders_orderevent
            (order_id, kind, from_status, to_status, note, actor_label, data,
             created_at)
        SELECT o.id,
               CASE WHEN step.n = 1 THEN 'created' ELSE 'status_changed' END,
               CASE WHEN step.n = 1 THEN '' ELSE x.p[(step.n - 1)::int] END,
               step.s, '',
               CASE WHEN step.n = 1 THEN 'Shopify' ELSE 'Bench' END,
               '{{}}'::jsonb,
               LEAST(now(), o.placed_at + (step.n - 1) * interval '1 day')
        FROM orders_order o
        JOIN (VALUES {_paths_values()}) AS x(s, p) ON x.s = o.status
        CROSS JOIN LATERAL unnest(x.p) WITH ORDINALITY AS step(s, n)
        WHERE o.merchant_id = %(merchant)s
        ORDER BY o.id, step.n
        """,
        {"merchant": store.merchant_id},
    )


def _shipments_seed(cursor, store, account) -> None:
    params = {"merchant": store.merchant_id, "account": account.pk}
    cursor.execute(
        """
        INSERT INTO shipments_shipment
            (order_id, merchant_id, account_id, service_code, service_type,
             tracking_number, courier_reference, label, price, currency, sender,
             recipient, parcels, status, raw_status, estimated_delivery,
             promised_delivery, last_event_at, delivered_at, next_poll_at,
             poll_failures, stuck, created_at, updated_at)
        SELECT id, merchant_id, %(account)s, 'SBX_HOME', 'home_delivery',
               tracking_number, '', '', 79, 'SEK', '{"name": "Bench Portal"}'::jsonb,
               delivery_address, '[{"weight_kg": 1.2}]'::jsonb,
               tracking_status,
               CASE WHEN status = 'shipped' THEN 'IN_TRANSIT' ELSE 'DELIVERED' END,
               estimated_delivery, estimated_delivery, tracking_event_at,
               CASE WHEN status <> 'shipped' THEN placed_at + interval '2 days' END,
               CASE WHEN status = 'shipped' THEN now() + interval '1 hour' END,
               0, false, placed_at + interval '6 hours', tracking_event_at
        FROM orders_order
        WHERE merchant_id = %(merchant)s AND tracking_number <> ''
        ORDER BY id
        """,
        params,
    )
    # 3 events in transit; 5 once delivered.
    cursor.execute(
        """
        INSERT INTO shipments_trackingevent
            (shipment_id, status, raw_code, occurred_at, description, location,
             source, received_at)
        SELECT s.id, e.status, e.code,
               LEAST(now() - interval '1 minute', s.created_at + e.after),
               e.description, e.location, 'poll',
               LEAST(now(), s.created_at + e.after)
        FROM shipments_shipment s
        CROSS JOIN (VALUES
            (1, 'info_received', 'BOOKED', interval '0 hours',
             'Shipment information received', ''),
            (2, 'in_transit', 'PICKED_UP', interval '8 hours', 'Picked up',
             'Stockholm'),
            (3, 'in_transit', 'SORTED', interval '20 hours', 'Sorted',
             'Terminal Jönköping'),
            (4, 'out_for_delivery', 'OUT_FOR_DELIVERY', interval '40 hours',
             'Out for delivery', 'Stockholm'),
            (5, 'delivered', 'DELIVERED', interval '44 hours', 'Delivered',
             'Stockholm')
        ) AS e(n, status, code, after, description, location)
        WHERE s.merchant_id = %(merchant)s
          AND (e.n <= 3 OR s.status = 'delivered')
        ORDER BY s.id, e.n
        """,
        params,
    )


def _invoices_seed(cursor, store) -> None:
    """INVOICES of the confirmed-or-later orders, dated when the order was placed;
    85% paid a few days later (the rest pending, or overdue when past due)."""
    params = {
        "merchant": store.merchant_id,
        "store": store.pk,
        "invoices": INVOICES,
    }
    cursor.execute(
        """
        INSERT INTO invoices_invoice
            (merchant_id, store_id, customer_id, order_id, number, sequence,
             currency, issue_date, due_date, subtotal, tax_total, total, seller,
             buyer, order_reference, notes, pdf, issued_at, state,
             payment_instructions, void_reason)
        SELECT %(merchant)s, %(store)s, o.customer_id, o.id,
               'INV-P-' || lpad(o.seq::text, 6, '0'), o.seq, 'SEK',
               o.day, o.day + 30, o.net, o.amount - o.net, o.amount,
               '{"name": "Bench Portal AB"}'::jsonb,
               jsonb_build_object('name', c.name, 'customer_number',
                                  c.customer_number),
               o.order_number, '', '', o.placed_at + interval '1 hour', 'issued',
               'Bankgiro 5839-8257', ''
        FROM (
            SELECT o.*, row_number() OVER (ORDER BY o.placed_at, o.id) AS seq,
                   (o.placed_at AT TIME ZONE 'Europe/Stockholm')::date AS day,
                   (SELECT sum(round(l.quantity * l.unit_price / 1.25, 2))
                    FROM orders_orderline l WHERE l.order_id = o.id) AS net
            FROM (
                SELECT * FROM orders_order
                WHERE merchant_id = %(merchant)s
                  AND status IN ('confirmed', 'shipped', 'delivered', 'complete',
                                 'on_hold')
                ORDER BY md5(id::text) LIMIT %(invoices)s
            ) o
        ) o
        JOIN orders_customer c ON c.id = o.customer_id
        ORDER BY o.seq
        """,
        params,
    )
    cursor.execute(
        """
        INSERT INTO invoices_invoiceline
            (invoice_id, position, sku, description, quantity, unit_price, tax_rate,
             net_amount, tax_amount, total)
        SELECT i.id, row_number() OVER (PARTITION BY i.id ORDER BY l.id), l.sku,
               l.title, l.quantity, l.unit_price, 25,
               round(l.quantity * l.unit_price / 1.25, 2),
               l.quantity * l.unit_price - round(l.quantity * l.unit_price / 1.25, 2),
               l.quantity * l.unit_price
        FROM invoices_invoice i JOIN orders_orderline l ON l.order_id = i.order_id
        WHERE i.merchant_id = %(merchant)s
        ORDER BY i.id, l.id
        """,
        params,
    )
    cursor.execute(
        """
        INSERT INTO invoices_payment
            (merchant_id, customer_id, order_id, invoice_id, amount, currency,
             method, reference, provider_id, received_at, note, recorded_at)
        SELECT merchant_id, customer_id, order_id, id, total, currency,
               CASE WHEN sequence %% 2 = 0 THEN 'bank_transfer' ELSE 'stripe' END,
               number, '', paid_at, '', paid_at
        FROM (
            SELECT i.*, issued_at + (2 + sequence %% 9) * interval '1 day'
                        AS paid_at
            FROM invoices_invoice i WHERE merchant_id = %(merchant)s
        ) i
        WHERE paid_at < now() AND (sequence * 37) %% 100 < 85
        ORDER BY paid_at
        """,
        params,
    )


def _sign_ins_create(store) -> list:
    """SIGN_INS users linked to customers: the HEAVY heavy ones and others spread
    over the rest. Returns the users, heaviest first."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password

    from orders.models import Customer

    customers = list(
        Customer.objects.filter(merchant_id=store.merchant_id).order_by("pk")
    )
    step = (CUSTOMERS - HEAVY) // (SIGN_INS - HEAVY)
    chosen = customers[:HEAVY] + customers[HEAVY::step][: SIGN_INS - HEAVY]
    password = make_password("bench-password")
    User = get_user_model()
    users = User.objects.bulk_create(
        User(username=c.email, email=c.email, password=password) for c in chosen
    )
    for customer, user in zip(chosen, users, strict=True):
        customer.user = user
    Customer.objects.bulk_update(chosen, ["user"])
    return users


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
    _seconds, results = await common.run_load(base_url, requests, concurrency)
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
