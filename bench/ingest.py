"""Shopify orders/create webhooks, signed, sent concurrently to the real server.

Measures what a busy shop sees: how fast its webhooks are acknowledged (each one
verified, read and recorded in the inbound log), how fast the appliers turn them
into orders, and how long a delivery waits between the two (ack -> visible in the
Orders view).
"""

import asyncio
import json
import random
import uuid

from bench import common, http_client

WARMUP = common.sized(300, 20)
ORDERS = common.sized(5_000, 100)
CONCURRENCY = 24
CUSTOMERS = common.sized(2_000, 50)
TARGETS = {
    "ack_per_s": (">=", 800),
    "ack_p99_ms": ("<", 50),
    "orders_per_s": (">=", 500),
    "visible_p95_ms": ("<", 1000),
}

PRODUCTS = [
    ("NG-MUG-SND", "Stoneware mug, sand", "189.00"),
    ("NG-SOCK-MW", "Merino wool socks", "149.00"),
    ("NG-THROW-M", "Lambswool throw, moss", "1290.00"),
    ("NG-TOWEL-L", "Linen tea towel", "129.00"),
    ("NG-CANDL-3", "Beeswax candles, 3-pack", "219.00"),
    ("NG-BOARD-O", "Oak cutting board", "449.00"),
    ("NG-LAMP-PP", "Paper pendant lamp", "899.00"),
    ("NG-CARAF-1", "Glass carafe 1 l", "349.00"),
]
PLACES = [
    ("SE", "Stockholm", "113 46", "Sveavägen", "+4670"),
    ("SE", "Göteborg", "411 04", "Linnégatan", "+4673"),
    ("NO", "Oslo", "0555", "Thorvald Meyers gate", "+479"),
    ("DK", "København", "2200", "Nørrebrogade", "+452"),
]
FIRST = ["Anna", "Erik", "Maja", "Nils", "Ida", "Lars", "Sofie", "Ole", "Freja", "Emil"]
LAST = ["Svensson", "Hansen", "Nielsen", "Berg", "Larsen", "Dahl", "Holm", "Lund"]


def run() -> dict[str, float]:
    from orders.models import Order
    from performile.models import InboundDelivery

    store = _store_create()
    rng = random.Random(7)
    numbers = iter(range(1001, 1001 + WARMUP + ORDERS))
    warmup = [_request(store, rng, next(numbers)) for _ in range(WARMUP)]
    timed = [_request(store, rng, next(numbers)) for _ in range(ORDERS)]
    with common.web_server("ingest") as server:
        asyncio.run(http_client.run_load(server.url, warmup, CONCURRENCY))
        common.wait_applied()
        first_timed = common.next_delivery_id()
        cpu, tally = _cpu(server), common.StatementTally()
        with tally:
            seconds, results = asyncio.run(
                http_client.run_load(server.url, timed, CONCURRENCY)
            )
            common.wait_applied()
        client, web, applier, database = (
            b - a for a, b in zip(cpu, _cpu(server), strict=True)
        )
        costs = common.per_event(
            ORDERS,
            tally,
            (web + applier) / ORDERS * 1000,
            database / ORDERS * 1000,
        )
    failed = [(status, body[:200]) for status, _s, body in results if status != 200]
    if failed:
        raise RuntimeError(f"{len(failed)} webhooks failed, e.g. {failed[:3]}")
    stored = Order.objects.filter(store=store).count()
    if stored != WARMUP + ORDERS:
        raise RuntimeError(f"{stored} orders stored, {WARMUP + ORDERS} sent")
    applied = InboundDelivery.objects.filter(pk__gte=first_timed)
    if applied.exclude(status="applied").exists():
        raise RuntimeError("Some deliveries were not applied; see ingest-applier.log")
    waits, span = common.applied_since(first_timed)
    ack = common.percentiles_ms([latency for _s, latency, _b in results], 50, 95, 99)
    return {
        "orders": ORDERS,
        "concurrency": CONCURRENCY,
        "ack_per_s": round(ORDERS / seconds, 1),
        **{f"ack_{name}": value for name, value in ack.items()},
        "orders_per_s": round(ORDERS / span, 1),
        **{
            f"visible_{name}": value
            for name, value in common.percentiles_ms(waits, 50, 95).items()
        },
        # Where the two cores went, per order.
        "web_cpu_ms": round(web / ORDERS * 1000, 2),
        "applier_cpu_ms": round(applier / ORDERS * 1000, 2),
        "db_cpu_ms": round(database / ORDERS * 1000, 2),
        "client_cpu_ms": round(client / ORDERS * 1000, 2),
        **costs,
    }


def _cpu(server) -> tuple[float, float, float, float]:
    return (
        common.cpu_seconds(),
        server.cpu_seconds(),
        server.applier_cpu_seconds(),
        common.database_cpu_seconds(),
    )


def _store_create():
    from orders.models import Merchant, Store

    merchant = Merchant.objects.create(name="Bench Goods", slug="bench-goods")
    return Store.objects.create(
        merchant=merchant,
        name="Bench Shopify",
        platform="shopify",
        currency="SEK",
        webhook_secret="bench-shopify-secret",
    )


def _request(store, rng: random.Random, number: int):
    from performile.webhooks import base64_hmac

    body = json.dumps(_shopify_order(rng, number)).encode()
    headers = [
        ("Content-Type", "application/json"),
        ("X-Shopify-Topic", "orders/create"),
        ("X-Shopify-Hmac-Sha256", base64_hmac(store.webhook_secret, body)),
        ("X-Shopify-Shop-Domain", "bench-goods.myshopify.com"),
        ("X-Shopify-Webhook-Id", str(uuid.UUID(int=rng.getrandbits(128)))),
        ("X-Shopify-API-Version", "2025-10"),
    ]
    return ("POST", f"/webhooks/shopify/{store.webhook_key}/orders", headers, body)


def _shopify_order(rng: random.Random, number: int) -> dict:
    """An order in the REST Admin resource's shape, as Shopify sends it."""
    who = rng.randrange(CUSTOMERS)
    first, last = FIRST[who % len(FIRST)], LAST[who // len(FIRST) % len(LAST)]
    email = f"{first}.{last}.{who}@example.com".lower()
    country, city, postal, street, prefix = PLACES[who % len(PLACES)]
    phone = f"{prefix}{who:07d}"
    lines = [
        {
            "id": rng.randrange(10**12),
            "sku": sku,
            "title": title,
            "quantity": rng.choice([1, 1, 1, 2, 3]),
            "price": price,
        }
        for sku, title, price in rng.sample(PRODUCTS, rng.choice([1, 1, 2, 3, 4]))
    ]
    total = sum(float(line["price"]) * line["quantity"] for line in lines)
    placed = (
        f"2026-11-{1 + number % 28:02d}T{number % 24:02d}:{number % 60:02d}:00+01:00"
    )
    shipped = rng.random() < 0.2
    return {
        "id": 5_800_000_000_000 + number,
        "name": f"#{number}",
        "order_number": number,
        "email": email,
        "phone": phone,
        "created_at": placed,
        "updated_at": placed,
        "currency": "SEK",
        "financial_status": rng.choice(["paid", "paid", "paid", "pending"]),
        "fulfillment_status": "fulfilled" if shipped else None,
        "cancelled_at": None,
        "total_price": f"{total:.2f}",
        "subtotal_price": f"{total:.2f}",
        "total_tax": f"{total * 0.2:.2f}",
        "note": rng.choice(["", "", "", "Leave at the door"]),
        "payment_gateway_names": [rng.choice(["shopify_payments", "klarna"])],
        "customer": {
            "id": 7_000_000_000 + who,
            "first_name": first,
            "last_name": last,
            "email": email,
            "phone": phone,
        },
        "line_items": lines,
        "shipping_address": {
            "first_name": first,
            "last_name": last,
            "address1": f"{street} {who % 90 + 1}",
            "city": city,
            "zip": postal,
            "country_code": country,
            "phone": phone,
        },
        "fulfillments": [_fulfillment(number)] if shipped else [],
    }


def _fulfillment(number: int) -> dict:
    tracking = f"UA{number:09d}SE"
    return {
        "id": 4_000_000_000 + number,
        "status": "success",
        "tracking_company": "PostNord",
        "tracking_number": tracking,
        "tracking_url": f"https://tracking.postnord.com/se/?id={tracking}",
    }
