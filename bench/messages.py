"""Messages at scale: 1,000,000 messages in 100,000 order threads.

- search: GET /api/admin/messages/search?q=... as a staff member, one request after
  another, over a mix of what support looks for: a word customers use now and then
  ("damaged", "refund"), two words, a phrase, an order number;
- thread: GET /api/orders/<id>/messages of random threads (10 messages on average);
- ingest: signed WhatsApp Cloud API webhooks, one customer message each, sent
  concurrently, every one matched to its order by the sender's number.

Orders come from the orders_list scenario's set-based seed; messages are written with
COPY (going through the services would take hours and measure nothing here).
"""

import asyncio
import hashlib
import hmac
import json
import random
import time

from bench import common, http_client, orders_list

ORDERS = common.sized(100_000, 500)
CUSTOMERS = common.sized(10_000, 50)
MESSAGES = common.sized(1_000_000, 2_000)
SEARCHES = common.sized(300, 8)
THREADS = common.sized(300, 8)
WARMUP_GETS = common.sized(30, 3)
WEBHOOKS = common.sized(3_000, 50)
WARMUP_WEBHOOKS = common.sized(300, 10)
CONCURRENCY = 24
APP_SECRET = "bench-whatsapp-app-secret"
PHONE_NUMBER_ID = "100200300"
TARGETS = {
    "search_p95_ms": ("<", 50),
    "thread_p95_ms": ("<", 20),
    "ingest_per_s": (">=", 500),
}

# What customers write: everyday words, drawn Zipf-like (a few very often), and
# in one message in six a topic; support searches for topics, each in under 1% of
# messages, as "damaged" or "refund" would be.
EVERYDAY = """
    order delivery parcel when hello thanks please where tracking package week today
    tomorrow arrive shipped address change help still update status courier number
    email wait late day time need soon yet phone store item box post office pickup
    point friday monday weekend door mug socks throw towel candle board lamp carafe
    linen wool oak glass
"""
WORDS = EVERYDAY.split()
TOPICS = [
    "the box arrived damaged",
    "I would like a refund",
    "please send the invoice again",
    "wrong size, can I exchange it",
    "there is a missing item",
    "do I pay customs duty",
    "charged twice on my card",
    "the discount code did not work",
    "can you gift wrap it",
    "I want to cancel",
    "the label was torn",
    "left with a neighbour",
    "parcel locker code expired",
    "signature required but nobody home",
    "holiday address until monday",
    "urgent birthday present",
    "broken lamp shade",
    "colour is not as pictured",
    "the receipt is missing",
    "delivered abroad by mistake",
]
QUERIES = ["damaged", "refund", "invoice", "wrong size", '"missing item"', "customs"]
CHANNELS = ("email", "whatsapp", "sms", "in_app")


def run() -> dict[str, float]:
    import os

    from django.db import connection

    os.environ.update(WHATSAPP_APP_SECRET=APP_SECRET)
    from django.conf import settings

    settings.WHATSAPP_APP_SECRET = APP_SECRET
    store, staff, token = orders_list._tenant_create(
        "Bench Goods", "bench-goods", staff=True
    )
    store.whatsapp_phone_number_id = PHONE_NUMBER_ID
    store.save(update_fields=["whatsapp_phone_number_id"])
    started = time.perf_counter()
    with connection.cursor() as cursor:
        orders_list._customers_seed(cursor, store, CUSTOMERS)
        orders_list._orders_seed(cursor, [(store, ORDERS, CUSTOMERS, staff.pk)])
        _threads_seed(cursor, store)
    _messages_copy(store, staff)
    with connection.cursor() as cursor:
        _threads_finish(cursor)
        cursor.execute("VACUUM ANALYZE")
    seed_seconds = time.perf_counter() - started
    rng = random.Random(11)
    order_ids = _sample_orders(rng)
    search_paths = _search_paths(rng)
    with common.web_server("messages") as server:
        search = asyncio.run(
            _timed_gets(server.url, token, search_paths, warmup=WARMUP_GETS)
        )
        thread = asyncio.run(_threads(server.url, token, order_ids))
        ingest = _ingest(server, rng)
    return {
        "messages": MESSAGES,
        "seed_s": round(seed_seconds, 1),
        "search_p50_ms": search["p50_ms"],
        "search_p95_ms": search["p95_ms"],
        "thread_p50_ms": thread["p50_ms"],
        "thread_p95_ms": thread["p95_ms"],
        **ingest,
    }


# --- Seeding ----------------------------------------------------------------------


def _threads_seed(cursor, store) -> None:
    cursor.execute(
        """
        INSERT INTO messaging_thread
            (order_id, merchant_id, store_id, token, status, created_at,
             last_message_id, last_public_message_id, last_inbound_channel)
        SELECT id, merchant_id, store_id, md5(id::text || 'bench')::varchar(16),
               CASE WHEN id %% 3 = 0 THEN 'closed' ELSE 'open' END, placed_at, 0, 0,
               ''
        FROM orders_order WHERE store_id = %s
        """,
        [store.pk],
    )


def _messages_copy(store, staff) -> None:
    """MESSAGES rows over the threads, each thread's messages in time order."""
    from django.db import connection

    cursor = connection.cursor()
    cursor.execute(
        "SELECT t.id, o.customer_id, o.placed_at FROM messaging_thread t"
        " JOIN orders_order o ON o.id = t.order_id ORDER BY o.placed_at"
    )
    threads = cursor.fetchall()
    rng = random.Random(5)
    weights = [1 / (rank + 1) for rank in range(len(WORDS))]
    columns = (
        "thread_id, merchant_id, channel, direction, visibility, author_user_id,"
        " author_customer_id, sender, recipient, subject, body, headers, created_at"
    )
    per_thread = MESSAGES // len(threads)
    extra = MESSAGES - per_thread * len(threads)
    raw = cursor.connection  # psycopg's connection, for COPY
    statement = f"COPY messaging_message ({columns}) FROM STDIN"
    with raw.cursor() as copy_cursor, copy_cursor.copy(statement) as copy:
        for index, (thread_id, customer_id, placed_at) in enumerate(threads):
            count = per_thread + (1 if index < extra else 0)
            for row in _thread_rows(
                rng, weights, thread_id, customer_id, placed_at, count, store, staff
            ):
                copy.write_row(row)


def _thread_rows(rng, weights, thread_id, customer_id, placed_at, count, store, staff):
    from datetime import timedelta

    channel = rng.choice(CHANNELS)
    moment = placed_at
    for n in range(count):
        moment += timedelta(minutes=rng.randint(5, 600))
        text = " ".join(rng.choices(WORDS, weights, k=rng.randint(6, 40)))
        if rng.random() < 1 / 6:
            text = f"{text} {rng.choice(TOPICS)}"
        kind = n % 3 if n else 0
        if kind == 0:  # the customer
            row = (channel, "inbound", "public", None, customer_id)
        elif n % 7 == 5:  # a colleague's note
            row = ("in_app", "outbound", "internal", staff.pk, None)
        else:
            row = (channel, "outbound", "public", staff.pk, None)
        yield (
            thread_id,
            store.merchant_id,
            *row,
            "",
            "",
            f"Order question {thread_id}" if channel == "email" and n == 0 else "",
            text,
            "{}",
            moment,
        )


def _threads_finish(cursor) -> None:
    cursor.execute(
        """
        UPDATE messaging_thread t SET
            last_message_id = m.last_id,
            last_public_message_id = m.last_public_id,
            last_message_at = m.last_at,
            first_inbound_at = m.first_at,
            last_inbound_channel = m.channel
        FROM (
            SELECT thread_id, max(id) AS last_id,
                   max(id) FILTER (WHERE visibility = 'public') AS last_public_id,
                   max(created_at) AS last_at, min(created_at) AS first_at,
                   min(channel) FILTER (WHERE direction = 'inbound') AS channel
            FROM messaging_message GROUP BY thread_id
        ) m
        WHERE m.thread_id = t.id
        """
    )


def _sample_orders(rng) -> list[int]:
    from orders.models import Order

    ids = list(Order.objects.values_list("pk", flat=True))
    return rng.sample(ids, THREADS)


# --- Measuring -----------------------------------------------------------------------


def _search_paths(rng) -> list[str]:
    from urllib.parse import quote

    from orders.models import Order

    numbers = list(Order.objects.values_list("order_number", flat=True)[:2000])
    paths = []
    for n in range(SEARCHES + WARMUP_GETS):
        query = QUERIES[n % len(QUERIES)] if n % 4 else rng.choice(numbers)
        paths.append(f"/api/admin/messages/search?q={quote(query)}")
    return paths


async def _threads(base_url: str, token: str, order_ids) -> dict[str, float]:
    paths = [f"/api/orders/{pk}/messages" for pk in order_ids]
    return await _timed_gets(
        base_url, token, paths[:WARMUP_GETS] + paths, warmup=WARMUP_GETS
    )


async def _timed_gets(base_url, token, paths, *, warmup: int) -> dict[str, float]:
    conn = http_client.connection_to(base_url)
    headers = [("Authorization", f"Token {token}"), ("Accept", "application/json")]
    latencies = []
    try:
        for index, path in enumerate(paths):
            started = time.perf_counter()
            status, body = await conn.request("GET", path, headers)
            elapsed = time.perf_counter() - started
            if status != 200:
                raise RuntimeError(f"GET {path} answered {status}: {body[:300]}")
            if index >= warmup:
                latencies.append(elapsed)
    finally:
        await conn.close()
    return common.percentiles_ms(latencies, 50, 95)


def _ingest(server, rng) -> dict[str, float]:
    from messaging.models import Message
    from orders.models import Customer

    phones = list(Customer.objects.values_list("phone", flat=True)[:2000])
    requests = [_whatsapp(rng, phones, n) for n in range(WARMUP_WEBHOOKS + WEBHOOKS)]
    before = Message.objects.count()
    asyncio.run(
        http_client.run_load(server.url, requests[:WARMUP_WEBHOOKS], CONCURRENCY)
    )
    common.wait_applied()
    first_timed = common.next_delivery_id()
    cpu = (
        server.cpu_seconds(),
        server.applier_cpu_seconds(),
        common.database_cpu_seconds(),
    )
    with common.StatementTally() as tally:
        seconds, results = asyncio.run(
            http_client.run_load(server.url, requests[WARMUP_WEBHOOKS:], CONCURRENCY)
        )
        common.wait_applied()
    web = server.cpu_seconds() - cpu[0]
    applier = server.applier_cpu_seconds() - cpu[1]
    database = common.database_cpu_seconds() - cpu[2]
    failed = [(status, body[:200]) for status, _s, body in results if status != 200]
    if failed:
        raise RuntimeError(f"{len(failed)} webhooks failed, e.g. {failed[:3]}")
    stored = Message.objects.count() - before
    if stored != WARMUP_WEBHOOKS + WEBHOOKS:
        raise RuntimeError(f"{stored} messages stored, {len(requests)} sent")
    _waits, span = common.applied_since(first_timed)
    latencies = [latency for _s, latency, _b in results]
    cuts = common.percentiles_ms(latencies, 50, 95)
    web_ms, db_ms = (web + applier) / WEBHOOKS * 1000, database / WEBHOOKS * 1000
    return {
        # Received, recorded and applied: messages in the Inbox per second.
        "ingest_per_s": round(WEBHOOKS / span, 1),
        "ack_per_s": round(WEBHOOKS / seconds, 1),
        "ingest_p50_ms": cuts["p50_ms"],
        "ingest_p95_ms": cuts["p95_ms"],
        "ingest_web_cpu_ms": round(web / WEBHOOKS * 1000, 2),
        "ingest_applier_cpu_ms": round(applier / WEBHOOKS * 1000, 2),
        "ingest_db_cpu_ms": round(db_ms, 2),
        # The event is one ingested customer message.
        **common.per_event(WEBHOOKS, tally, web_ms, db_ms),
    }


def _whatsapp(rng, phones, n: int):
    phone = rng.choice(phones).lstrip("+")
    payload = {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": "bench-waba",
                "changes": [
                    {
                        "field": "messages",
                        "value": {
                            "messaging_product": "whatsapp",
                            "metadata": {
                                "display_phone_number": "46700000000",
                                "phone_number_id": PHONE_NUMBER_ID,
                            },
                            "contacts": [
                                {"profile": {"name": "Bench"}, "wa_id": phone}
                            ],
                            "messages": [
                                {
                                    "from": phone,
                                    "id": f"wamid.bench{n:08d}",
                                    "timestamp": str(int(time.time())),
                                    "type": "text",
                                    "text": {"body": "Hi! Where is my parcel?"},
                                }
                            ],
                        },
                    }
                ],
            }
        ],
    }
    body = json.dumps(payload).encode()
    signature = hmac.new(APP_SECRET.encode(), body, hashlib.sha256).hexdigest()
    headers = [
        ("Content-Type", "application/json"),
        ("X-Hub-Signature-256", f"sha256={signature}"),
    ]
    return ("POST", "/webhooks/whatsapp", headers, body)
