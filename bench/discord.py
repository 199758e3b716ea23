"""The Discord order desk: signed interactions for `/trackorder` and `/listorders`
against a store of 100,000 service orders.

Seeded with set-based SQL (generate_series), like orders_list and portal:

- one merchant with a Discord store: 5,000 customers linked by discord_user_id
  (50 of them with 250 orders each, the rest ~18), 100,000 service orders over 400
  days in the Discord flow's statuses (payment verified -> in progress -> in review
  -> complete, on hold, cancelled), two thirds assigned to one of 4 staff members,
  with an OrderEvent per step of each order's path (some with notes);
- another merchant with 20,000 orders whose 2,000 customers carry the same Discord
  ids as the first 2,000 of ours (people buy in more than one server): a command
  must never reach them;
- a DiscordGuild linking the store, with a key pair generated for the run; an admin
  whose membership carries a Discord id.

Then, through the real server (uvicorn, 2 workers), one keep-alive connection sends
signed interactions one after another (signed just before each batch, as Discord
would: the round trip is what Discord sees from the same machine), 300 of each after
30 to warm up:

- `/trackorder`: half without order_id (a customer's latest order), half with one of
  their own orders' ids, every 20th an admin (MANAGE_GUILD) looking up any order;
- `/listorders` as the admin: no filter, a status filter, a service substring,
  limit 25, in turn.

Every answer must be 200 with type 4 (a message); anything else is counted
(`*_not_ok`), as are answers whose content starts with "❌" (`*_errors`) and
answers that do not show the expected order (`*_wrong`: the tracked order; the
newest matching order for a list). p50/p95 are also given per kind of request
(`trackorder_latest_*`, `_by_id_`, `_admin_`; `listorders_all_*`, `_status_`,
`_service_`, `_limit25_`).
Queries per command (a heavy customer vs a light one; a list of 5 vs 25) are taken
in-process with the Django test client and `CaptureQueriesContext`.
"""

import asyncio
import json
import random
import time

from bench import common, discord_seed, http_client, orders_list
from bench.discord_seed import (
    ADMIN_ID,
    APPLICATION_ID,
    CUSTOMERS,
    GUILD_ID,
    HEAVY,
    NOISE_CUSTOMERS,
    NOISE_ORDERS,
    ORDERS,
)

CALLERS = common.sized(
    200, 10
)  # customers sending /trackorder: the HEAVY ones and others
WARMUP = common.sized(30, 3)
REQUESTS = common.sized(300, 10)
ADMIN_EVERY = 20
TARGETS = {"trackorder_p99_ms": ("<", 100), "listorders_p99_ms": ("<", 100)}
URL = "/integrations/discord/interactions"
MANAGE_GUILD = 1 << 5
MEMBER_PERMISSIONS = 1 << 10 | 1 << 11  # view channel, send messages
CHANNEL_MESSAGE = 4

SERVICE_SEARCHES = ["bot", "Design", "minecraft", "scraper", "Setup"]
STATUS_FILTERS = [
    "in_progress",
    "complete",
    "payment_verified",
    "in_review",
    "on_hold",
    "cancelled",
]


def run() -> dict[str, float]:
    from django.db import connection
    from nacl.signing import SigningKey

    key = SigningKey.generate()
    started = time.perf_counter()
    store, admin_id, staff_ids = discord_seed.desk_create(key)
    noise_store, _u, _t = orders_list._tenant_create(
        "Other Desk", "other-desk", staff=False
    )
    with connection.cursor() as cursor:
        discord_seed.customers_seed(cursor, store, CUSTOMERS)
        discord_seed.customers_seed(cursor, noise_store, NOISE_CUSTOMERS)
        discord_seed.orders_seed(cursor, store, ORDERS, CUSTOMERS, staff_ids)
        discord_seed.orders_seed(cursor, noise_store, NOISE_ORDERS, NOISE_CUSTOMERS, [])
        discord_seed.events_seed(cursor)
        cursor.execute("VACUUM ANALYZE")
    seed_seconds = time.perf_counter() - started

    rng = random.Random(8)
    callers = _callers(store)
    plans = {
        "trackorder": _track_plan(store, callers, rng),
        "listorders": _list_plan(store),
    }
    counts = _query_counts(key, callers)
    metrics = {
        "orders": ORDERS,
        "customers": CUSTOMERS,
        "seed_s": round(seed_seconds, 1),
    }
    results = {}
    tally = common.StatementTally()
    with common.web_server("discord") as server:
        for name, plan in plans.items():
            asyncio.run(_measure(server.url, key, plan[:WARMUP]))
            web, database = server.cpu_seconds(), common.database_cpu_seconds()
            with tally:
                results[name] = asyncio.run(_measure(server.url, key, plan[WARMUP:]))
            results[name]["web_cpu_ms"] = _per_request(server.cpu_seconds() - web)
            results[name]["db_cpu_ms"] = _per_request(
                common.database_cpu_seconds() - database
            )
    for name in plans:
        metrics[f"{name}_p99_ms"] = results[name].pop("p99_ms")
    for name in plans:
        for metric, value in results[name].items():
            metrics[f"{name}_{metric}"] = value
    # The event is one slash command, of either kind.
    metrics.update(common.views_per_event(results, REQUESTS, tally))
    metrics.update(counts)
    return metrics


def _per_request(seconds: float) -> float:
    return round(seconds / REQUESTS * 1000, 2)


# --- The interactions ------------------------------------------------------------


def _callers(store) -> list[dict]:
    """CALLERS customers (the HEAVY heavy ones first): Discord id, their order
    numbers and the latest of them."""
    from django.db.models import Max

    from orders.models import Customer, Order

    customers = list(
        Customer.objects.filter(merchant_id=store.merchant_id)
        .order_by("pk")
        .values_list("pk", "discord_user_id")
    )
    step = (CUSTOMERS - HEAVY) // (CALLERS - HEAVY)
    chosen = customers[:HEAVY] + customers[HEAVY::step][: CALLERS - HEAVY]
    callers = []
    for pk, discord_id in chosen:
        own = Order.objects.filter(store=store, customer_id=pk)
        latest = own.aggregate(Max("pk"))["pk__max"]
        callers.append(
            {
                "id": discord_id,
                "numbers": list(own.values_list("order_number", flat=True)),
                "latest": own.get(pk=latest).order_number,
            }
        )
    return callers


def _track_plan(store, callers, rng: random.Random) -> list[dict]:
    """WARMUP + REQUESTS /trackorder interactions: (payload, expected order)."""
    from orders.models import Order

    numbers = list(
        Order.objects.filter(store=store).values_list("order_number", flat=True)
    )
    order = list(callers)
    rng.shuffle(order)
    plan = []
    for n in range(WARMUP + REQUESTS):
        caller = order[n % len(order)]
        if n % ADMIN_EVERY == ADMIN_EVERY - 1:
            kind, number = "admin", rng.choice(numbers)
            payload = _payload(
                "trackorder", {"order_id": number}, user_id=ADMIN_ID, admin=True
            )
        elif n % 2 == 0:
            kind, number = "latest", caller["latest"]
            payload = _payload("trackorder", {}, user_id=caller["id"])
        else:
            kind, number = "by_id", rng.choice(caller["numbers"])
            payload = _payload("trackorder", {"order_id": number}, user_id=caller["id"])
        plan.append({"kind": kind, "payload": payload, "expect": number})
    return plan


def _list_plan(store) -> list[dict]:
    """WARMUP + REQUESTS /listorders interactions as the admin, in turn: no
    filter, a status, a service substring, limit 25; each expects the newest
    matching order first."""
    from orders.models import Order

    plan = []
    for n in range(WARMUP + REQUESTS):
        kind, options = [
            ("all", {}),
            ("status", {"status": STATUS_FILTERS[(n // 4) % len(STATUS_FILTERS)]}),
            (
                "service",
                {"service": SERVICE_SEARCHES[(n // 4) % len(SERVICE_SEARCHES)]},
            ),
            ("limit25", {"limit": 25}),
        ][n % 4]
        matching = Order.objects.filter(store=store)
        if "status" in options:
            matching = matching.filter(status=options["status"])
        if "service" in options:
            matching = matching.filter(service__icontains=options["service"])
        newest = matching.order_by("-id").values_list("order_number", flat=True)[0]
        payload = _payload("listorders", options, user_id=ADMIN_ID, admin=True)
        plan.append({"kind": kind, "payload": payload, "expect": newest})
    return plan


def _payload(name: str, options: dict, *, user_id: str, admin: bool = False) -> dict:
    """An APPLICATION_COMMAND interaction shaped as Discord sends it."""
    permissions = MEMBER_PERMISSIONS | (MANAGE_GUILD if admin else 0)
    return {
        "id": str(1_100_000_000_000_000_000 + random.getrandbits(40)),
        "application_id": APPLICATION_ID,
        "type": 2,
        "token": "bench-interaction-token-" + "x" * 160,
        "version": 1,
        "guild_id": GUILD_ID,
        "channel_id": "820000000000000001",
        "app_permissions": "562949953421311",
        "locale": "en-US",
        "guild_locale": "en-US",
        "data": {
            "id": "1000000000000000001",
            "name": name,
            "type": 1,
            "guild_id": GUILD_ID,
            "options": [
                {
                    "name": key,
                    "type": 4 if isinstance(value, int) else 3,
                    "value": value,
                }
                for key, value in options.items()
            ],
        },
        "member": {
            "user": {
                "id": user_id,
                "username": f"user{user_id[-4:]}",
                "global_name": None,
                "avatar": None,
                "discriminator": "0",
            },
            "roles": [],
            "permissions": str(permissions),
            "joined_at": "2025-06-01T12:00:00.000000+00:00",
            "nick": None,
        },
    }


def _signed(key, body: bytes) -> list[tuple[str, str]]:
    stamp = str(int(time.time()))
    signature = key.sign(stamp.encode() + body).signature.hex()
    return [
        ("Content-Type", "application/json"),
        ("User-Agent", "Discord-Interactions/1.0 (+https://discord.com)"),
        ("X-Signature-Ed25519", signature),
        ("X-Signature-Timestamp", stamp),
    ]


def text_of(answer: dict) -> str:
    """Everything a person reads in an answer: content and embeds."""
    data = answer.get("data") or {}
    parts = [data.get("content") or ""]
    for embed in data.get("embeds") or []:
        parts += [embed.get("title") or "", embed.get("description") or ""]
        parts += [f"{f.get('name')}: {f.get('value')}" for f in embed.get("fields", [])]
        parts.append((embed.get("footer") or {}).get("text") or "")
    return "\n".join(part for part in parts if part)


async def _measure(base_url: str, key, plan: list[dict]) -> dict[str, float]:
    """Send the plan one after another on one connection (signed just before)."""
    bodies = [json.dumps(step["payload"]).encode() for step in plan]
    requests = [("POST", URL, _signed(key, body), body) for body in bodies]
    conn = http_client.connection_to(base_url)
    latencies, by_kind, not_ok, errors, wrong = [], {}, 0, 0, 0
    first_problem = ""
    try:
        for step, (method, path, headers, body) in zip(plan, requests, strict=True):
            started = time.perf_counter()
            status, content = await conn.request(method, path, headers, body)
            latencies.append(time.perf_counter() - started)
            by_kind.setdefault(step["kind"], []).append(latencies[-1])
            problem = _check(status, content, step["expect"])
            if problem:
                not_ok += problem == "not_ok"
                errors += problem == "error"
                wrong += problem == "wrong"
                first_problem = first_problem or f"{problem}: {content[:200]!r}"
    finally:
        await conn.close()
    if first_problem:
        print(f"  first unexpected answer: {first_problem}", flush=True)
    results = common.percentiles_ms(latencies, 50, 95, 99)
    results.update(not_ok=not_ok, errors=errors, wrong=wrong)
    for kind, seconds in by_kind.items():
        if len(seconds) < 10:
            continue  # the warm-up's odd one out
        for metric, value in common.percentiles_ms(seconds, 50, 95).items():
            results[f"{kind}_{metric}"] = value
    return results


def _check(status: int, content: bytes, expect: str | None) -> str:
    """'' for a good answer, else what is wrong with it."""
    try:
        answer = json.loads(content)
    except ValueError:
        return "not_ok"
    if status != 200 or not isinstance(answer, dict):
        return "not_ok"
    if answer.get("type") != CHANNEL_MESSAGE:
        return "not_ok"
    text = text_of(answer)
    if text.startswith("❌"):
        return "error"
    if expect is not None and expect not in text:
        return "wrong"
    return ""


def _query_counts(key, callers) -> dict[str, int]:
    """Queries per command, in-process: /trackorder (no id) for the heaviest
    caller and a light one; /listorders with limit 5 and 25."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    heavy = max(callers, key=lambda c: len(c["numbers"]))
    light = min(callers, key=lambda c: len(c["numbers"]))
    cases = {
        "trackorder_queries_heavy": _payload("trackorder", {}, user_id=heavy["id"]),
        "trackorder_queries_light": _payload("trackorder", {}, user_id=light["id"]),
        "listorders_queries_5": _payload(
            "listorders", {"limit": 5}, user_id=ADMIN_ID, admin=True
        ),
        "listorders_queries_25": _payload(
            "listorders", {"limit": 25}, user_id=ADMIN_ID, admin=True
        ),
    }
    client = Client(HTTP_HOST="localhost")
    counts = {}
    for metric, payload in cases.items():
        body = json.dumps(payload).encode()
        headers = {
            f"HTTP_{name.upper().replace('-', '_')}": value
            for name, value in _signed(key, body)
            if name.startswith("X-")
        }
        client.post(URL, body, content_type="application/json", **headers)
        with CaptureQueriesContext(connection) as queries:
            response = client.post(
                URL, body, content_type="application/json", **headers
            )
        if response.status_code != 200:
            raise RuntimeError(f"{metric}: answered {response.status_code}")
        counts[metric] = len(queries)
    return counts
