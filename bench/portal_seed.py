"""The portal bench's data: one store with 5,000 customers, 100,000 orders over
800 days with their lines, events and parcels, 50,000 invoices, and customers who
sign in. Set-based SQL (generate_series); see bench.portal."""

from bench import common, seed_sql

CUSTOMERS = common.sized(5_000, 100)
ORDERS = common.sized(100_000, 800)
INVOICES = common.sized(50_000, 400)
HEAVY = common.sized(50, 2)  # customers with ORDERS / HEAVY_EVERY / HEAVY orders each
HEAVY_EVERY = 8  # every 8th order is a heavy customer's: 12,500 -> 250 each
SIGN_INS = common.sized(200, 10)
HISTORY_DAYS = 800
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


def courier_account(store):
    from shipments.models import CourierAccount

    return CourierAccount.objects.create(
        merchant_id=store.merchant_id,
        courier="sandbox",
        name="Sandbox Post",
        base_url="http://127.0.0.1:9",
        api_key="bench",
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


def orders_seed(cursor, store) -> None:
    cursor.execute(
        f"""
        WITH c AS (
            SELECT id, name, row_number() OVER (ORDER BY id) AS rn
            FROM orders_customer WHERE merchant_id = %(merchant)s
        ),
        g AS (
            SELECT i, (i * 2654435761) %% 1000 AS r,
                   (1 - i::float / %(orders)s) * {HISTORY_DAYS} AS age,
                   {seed_sql.customer_of_order(CUSTOMERS, HEAVY, HEAVY_EVERY)} AS customer_rn
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
                   (SELECT p FROM (VALUES {seed_sql.paths_values(PATHS)}) AS x(s, p)
                    WHERE x.s = status), 1) - 1) * interval '1 day')
        FROM t JOIN c ON c.rn = t.customer_rn
        ORDER BY placed
        """,
        {"merchant": store.merchant_id, "store": store.pk, "orders": ORDERS},
    )


def lines_seed(cursor, store) -> None:
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


def events_seed(cursor, store) -> None:
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
        JOIN (VALUES {seed_sql.paths_values(PATHS)}) AS x(s, p) ON x.s = o.status
        CROSS JOIN LATERAL unnest(x.p) WITH ORDINALITY AS step(s, n)
        WHERE o.merchant_id = %(merchant)s
        ORDER BY o.id, step.n
        """,
        {"merchant": store.merchant_id},
    )


def shipments_seed(cursor, store, account) -> None:
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


def invoices_seed(cursor, store) -> None:
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


def sign_ins_create(store) -> list:
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
