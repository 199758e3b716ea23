"""The Discord desk bench's data: one merchant's Discord store with 100,000
service orders, another's with 20,000 (the same Discord ids, never reached), the
linked server and its people. Set-based SQL (generate_series); see bench.discord."""

from bench import common, seed_sql

ORDERS = common.sized(100_000, 800)
CUSTOMERS = common.sized(5_000, 100)
HEAVY = common.sized(50, 2)
HEAVY_EVERY = 8  # every 8th order is a heavy customer's: 12,500 -> 250 each
NOISE_ORDERS = common.sized(20_000, 100)
NOISE_CUSTOMERS = common.sized(2_000, 40)
HISTORY_DAYS = 400
STAFF = 4
APPLICATION_ID = "910000000000000001"
GUILD_ID = "810000000000000001"
ADMIN_ID = "720000000000000001"
# (service, share per mille); the Discord guide's kind of work.
SERVICES = [
    ("Discord Bot Development", 260),
    ("Custom Ticket Bot", 120),
    ("Discord Server Setup", 150),
    ("Website Design", 140),
    ("Logo Design", 110),
    ("Minecraft Plugin", 90),
    ("Music Bot Hosting", 80),
    ("Web Scraper", 50),
]
# Each final status and the path that led to it.
PATHS = {
    "payment_verified": ["payment_verified"],
    "in_progress": ["payment_verified", "in_progress"],
    "in_review": ["payment_verified", "in_progress", "in_review"],
    "complete": ["payment_verified", "in_progress", "in_review", "complete"],
    "on_hold": ["payment_verified", "in_progress", "on_hold"],
    "cancelled": ["payment_verified", "cancelled"],
}
NOTES = [
    "Kickoff call done, scope confirmed.",
    "First draft shared in the ticket.",
    "Waiting on the customer's assets.",
    "Second revision delivered.",
    "Final files uploaded.",
]


def desk_create(key):
    """The merchant, its Discord store and linked server, an admin and STAFF staff
    members with Discord ids. Returns (store, admin user id, staff user ids)."""
    from django.contrib.auth import get_user_model

    from orders.models import DiscordGuild, Membership, Merchant, Store

    merchant = Merchant.objects.create(
        name="Bench Desk", slug="bench-desk", default_currency="USD"
    )
    store = Store.objects.create(
        merchant=merchant, name="Bench Desk Discord", platform="discord", currency="USD"
    )
    DiscordGuild.objects.create(
        store=store,
        guild_id=GUILD_ID,
        name="Bench Desk",
        application_id=APPLICATION_ID,
        public_key=key.verify_key.encode().hex(),
        bot_token="bench-bot-token",
        purchased_role_id="610000000000000001",
    )
    User = get_user_model()
    people = [("admin", ADMIN_ID)] + [
        (f"staff{n}", f"72000000000000010{n}") for n in range(STAFF)
    ]
    ids = []
    for name, discord_id in people:
        user = User.objects.create_user(
            username=f"{name}@bench-desk.example",
            email=f"{name}@bench-desk.example",
            first_name=name.capitalize(),
        )
        Membership.objects.create(
            user=user,
            merchant=merchant,
            role="admin" if name == "admin" else "staff",
            discord_user_id=discord_id,
        )
        ids.append(user.pk)
    return store, ids[0], ids[1:]


def discord_id(i: str = "i") -> str:
    """SQL: customer i's Discord id (an 18-digit snowflake)."""
    return f"'73' || lpad({i}::text, 16, '0')"


def customers_seed(cursor, store, count: int) -> None:
    cursor.execute(
        f"""
        INSERT INTO orders_customer
            (merchant_id, customer_number, name, email, phone, discord_user_id,
             created_at)
        SELECT %(merchant)s, 'D' || %(store)s || '-' || i, 'Customer ' || i,
               CASE WHEN i %% 3 = 0
                    THEN 'customer' || i || '@d' || %(store)s || '.example.com'
                    ELSE '' END,
               '', {discord_id()}, now() - interval '{HISTORY_DAYS + 10} days'
        FROM generate_series(1, %(count)s) AS i
        """,
        {"merchant": store.merchant_id, "store": store.pk, "count": count},
    )


def _case(column: str, mix: list[tuple[str, int]]) -> str:
    """SQL mapping `column` (0-999) onto a per-mille mix."""
    whens, upper = [], 0
    for value, share in mix:
        upper += share
        whens.append(f"WHEN {column} < {upper} THEN '{value}'")
    return "CASE " + " ".join(whens) + f" ELSE '{mix[-1][0]}' END"


def _status_by_age() -> str:
    """SQL: the order's status from its age in days (age) and r (0-999)."""
    return """
        CASE
            WHEN age < 2 THEN (ARRAY['payment_verified', 'payment_verified',
                                     'in_progress'])[1 + r %% 3]
            WHEN age < 10 THEN (ARRAY['in_progress', 'in_progress', 'in_review',
                                      'on_hold'])[1 + r %% 4]
            WHEN age < 25 THEN (ARRAY['in_review', 'complete', 'complete',
                                      'in_progress'])[1 + r %% 4]
            WHEN r < 60 THEN 'cancelled'
            WHEN r < 75 THEN 'on_hold'
            ELSE 'complete'
        END
    """


def orders_seed(cursor, store, orders: int, customers: int, staff_ids) -> None:
    staff = "ARRAY[" + ", ".join(str(pk) for pk in staff_ids) + "]::bigint[]"
    assigned = (
        f"CASE WHEN r %% 3 <> 0 THEN ({staff})[1 + i %% {len(staff_ids)}] END"
        if staff_ids
        else "NULL::bigint"
    )
    notes = _notes_array()
    cursor.execute(
        f"""
        WITH c AS (
            SELECT id, row_number() OVER (ORDER BY id) AS rn
            FROM orders_customer WHERE merchant_id = %(merchant)s
        ),
        g AS (
            SELECT i, (i * 2654435761) %% 1000 AS r,
                   {seed_sql.customer_of_order(customers, HEAVY, HEAVY_EVERY)} AS customer_rn,
                   now() - (1 - i::float / %(orders)s)
                       * interval '{HISTORY_DAYS} days' AS placed
            FROM generate_series(1, %(orders)s) AS i
        ),
        t AS (
            SELECT g.*, {_status_by_age()} AS status
            FROM (SELECT g.*, extract(epoch FROM now() - placed) / 86400 AS age
                  FROM g) AS g
        )
        INSERT INTO orders_order
            (merchant_id, store_id, order_number, source, external_id, customer_id,
             status, service, payment_method, amount, currency, notes,
             assigned_staff_id, delivery_address, package, tracking_number, courier,
             tracking_url, tracking_status, tracking_event, label_url, placed_at,
             created_at, updated_at)
        SELECT %(merchant)s, %(store)s, 'PF-' || (100000 + i), 'discord', '', c.id,
               status, {_case("(i * 7907) %% 1000", SERVICES)},
               CASE WHEN r %% 3 = 0 THEN 'paypal' ELSE 'stripe' END,
               25 + (i * 37) %% 96 * 5, 'USD',
               CASE WHEN r %% 5 < 2 THEN ({notes})[1 + i %% {len(NOTES)}]
                    ELSE '' END,
               {assigned}, '{{}}'::jsonb, '{{}}'::jsonb, '', '', '', '', '', '',
               placed, placed,
               LEAST(now(), placed + (array_length(
                   (SELECT p FROM (VALUES {seed_sql.paths_values(PATHS)}) AS x(s, p)
                    WHERE x.s = status), 1) - 1) * interval '2 days')
        FROM t JOIN c ON c.rn = t.customer_rn
        ORDER BY placed
        """,
        {"merchant": store.merchant_id, "store": store.pk, "orders": orders},
    )


def _notes_array() -> str:
    quoted = (note.replace("'", "''") for note in NOTES)
    return "ARRAY[" + ", ".join(f"'{note}'" for note in quoted) + "]"


def events_seed(cursor) -> None:
    """'created' (by the Discord admin's /addorder) for the first step,
    'status_changed' for each later one, two days apart (never in the future);
    every other change carries a note."""
    notes = _notes_array()
    cursor.execute(
        f"""
        INSERT INTO orders_orderevent
            (order_id, kind, from_status, to_status, note, actor_label, data,
             created_at)
        SELECT o.id,
               CASE WHEN step.n = 1 THEN 'created' ELSE 'status_changed' END,
               CASE WHEN step.n = 1 THEN '' ELSE x.p[(step.n - 1)::int] END,
               step.s,
               CASE WHEN step.n > 1 AND (o.id + step.n) %% 2 = 0
                    THEN ({notes})[1 + (o.id + step.n) %% {len(NOTES)}]
                    ELSE '' END,
               'Discord user ' || %(admin)s, '{{}}'::jsonb,
               LEAST(now(), o.placed_at + (step.n - 1) * interval '2 days')
        FROM orders_order o
        JOIN (VALUES {seed_sql.paths_values(PATHS)}) AS x(s, p) ON x.s = o.status
        CROSS JOIN LATERAL unnest(x.p) WITH ORDINALITY AS step(s, n)
        ORDER BY o.id, step.n
        """,
        {"admin": ADMIN_ID},
    )
