"""Courier webhooks pushed live to 200 open Orders views.

One store, 200 staff members each with the Orders view open (a websocket to
/ws/orders/ on the real server, authenticated with a session cookie), and a sandbox
courier account whose parcels move: a signed tracking webhook (the sandbox's body
and signature) every 10 ms, each a new scan of one of the store's shipments, so each
makes one order change and one broadcast to the store's group.

For every (client, webhook) pair it measures the time from the moment the webhook's
POST was sent to the moment that client received the order's message carrying the
webhook's scan. `missed` counts pairs whose message never came, after a grace period
(the socket is a fast path, the change feed is the record: a miss is not data loss,
but the view lags until the next catch-up).
"""

import asyncio
import json
import os
import re
import time
import uuid
from datetime import UTC, datetime, timedelta

from bench import common, http_client

CLIENTS = int(os.environ.get("BENCH_LIVE_CLIENTS", common.sized("200", "10")))
WEBHOOKS = int(os.environ.get("BENCH_LIVE_WEBHOOKS", common.sized("1000", "50")))
WARMUP = common.sized(100, 10)
INTERVAL = (
    float(os.environ.get("BENCH_LIVE_INTERVAL_MS", "10")) / 1000
)  # whatever the answers
SENDERS = 16  # keep-alive connections the webhooks go out on
SHIPMENTS = common.sized(200, 10)  # a parcel's scans 2 s apart: no overtaking
GRACE = common.sized(10, 5)  # seconds to wait for the last messages
WORKERS = int(os.environ.get("BENCH_LIVE_WORKERS", "2"))
# permessage-deflate, as browsers negotiate it; BENCH_LIVE_COMPRESSION=none to compare.
COMPRESSION = os.environ.get("BENCH_LIVE_COMPRESSION", "deflate")
API_KEY = "bench-live-push"
TARGETS = {"p95_ms": ("<", 50), "missed": ("<", 1)}

SCAN = re.compile(rb"Bench scan (\d+)\b")


def run() -> dict[str, float]:
    # Groups of its own: a server killed by an earlier run leaves its channels in
    # the store's group (for a day), and every broadcast would still reach them.
    os.environ["CHANNELS_PREFIX"] = f"bench-{uuid.uuid4().hex[:12]}"
    account, shipments, cookies = _seed()
    with common.web_server("live_push", workers=WORKERS) as server:
        return asyncio.run(_measure(server, account, shipments, cookies))


# --- Seeding ----------------------------------------------------------------------


def _seed():
    """A store with SHIPMENTS shipped orders (a sandbox parcel each), CLIENTS staff
    members with a session each. Returns (account, tracking numbers, cookies)."""
    from django.contrib.auth import get_user_model
    from django.test import Client

    from orders.models import Membership, Merchant, Order, Store
    from shipments.models import CourierAccount, Shipment

    merchant = Merchant.objects.create(name="Bench Goods", slug="bench-goods")
    store = Store.objects.create(
        merchant=merchant, name="Bench Shopify", platform="shopify", currency="SEK"
    )
    account = CourierAccount.objects.create(
        merchant=merchant,
        courier="sandbox",
        name="Sandbox Post",
        base_url="http://127.0.0.1:9",  # never called: only webhooks come in
        api_key=API_KEY,
    )
    numbers = [f"SBX{n:010d}" for n in range(1, SHIPMENTS + 1)]
    orders = Order.objects.bulk_create(
        Order(
            merchant=merchant,
            store=store,
            order_number=f"L{n}",
            status="shipped",
            currency="SEK",
            amount=249,
            tracking_number=number,
            courier=account.name,
            tracking_status="in_transit",
        )
        for n, number in enumerate(numbers)
    )
    Shipment.objects.bulk_create(
        Shipment(
            order=order,
            merchant=merchant,
            account=account,
            service_code="SBX_HOME",
            service_type="home_delivery",
            tracking_number=order.tracking_number,
            status="in_transit",
        )
        for order in orders
    )
    users = get_user_model().objects.bulk_create(
        get_user_model()(username=f"staff{n}", email=f"staff{n}@example.com")
        for n in range(CLIENTS)
    )
    Membership.objects.bulk_create(
        Membership(user=user, merchant=merchant, role=Membership.Role.STAFF)
        for user in users
    )
    cookies = []
    for user in users:
        client = Client()
        client.force_login(user)
        cookies.append(client.cookies["sessionid"].value)
    return account, numbers, cookies


def _webhook(account, number: str, seq: int):
    """The sandbox's tracking webhook for scan `seq` of parcel `number`."""
    from sandbox_courier.notifier import SIGNATURE_HEADER, sign

    occurred = datetime(2026, 11, 20, tzinfo=UTC) + timedelta(seconds=seq)
    body = json.dumps(
        {
            "id": f"{number}-{seq}",
            "tracking_number": number,
            "status": "IN_TRANSIT",
            "event": {
                "code": "IN_TRANSIT",
                "description": f"Bench scan {seq}",
                "location": "Jönköping, SE",
                "occurred_at": occurred.isoformat(timespec="milliseconds"),
            },
            "estimated_delivery": "2026-11-25",
        },
        ensure_ascii=False,
    ).encode()
    headers = [
        ("Content-Type", "application/json"),
        (SIGNATURE_HEADER, sign(account.api_key, body)),
        ("X-Sandbox-Event-Id", f"{number}-{seq}"),
        ("X-Sandbox-Attempt", "1"),
    ]
    path = f"/webhooks/couriers/sandbox/{account.webhook_key}"
    return path, headers, body


# --- Measuring --------------------------------------------------------------------


class OpenView:
    """One open Orders view: when each scan's message arrived."""

    def __init__(self):
        self.received: dict[int, float] = {}
        self.other = 0

    async def listen(self, socket) -> None:
        from websockets.exceptions import ConnectionClosed

        try:
            while True:
                raw = await socket.recv(decode=False)
                at = time.perf_counter()
                found = SCAN.search(raw)
                if found:
                    self.received.setdefault(int(found[1]), at)
                else:
                    self.other += 1
        except ConnectionClosed:
            pass


async def _measure(server, account, numbers, cookies) -> dict[str, float]:
    from websockets.asyncio.client import connect

    port = server.url.rsplit(":", 1)[1]
    clients = [OpenView() for _ in cookies]
    sockets = []
    for start in range(0, len(cookies), 20):  # a page load's worth at a time
        sockets += await asyncio.gather(
            *(
                connect(
                    f"ws://127.0.0.1:{port}/ws/orders/",
                    origin=f"http://127.0.0.1:{port}",
                    additional_headers={"Cookie": f"sessionid={cookie}"},
                    compression=None if COMPRESSION == "none" else COMPRESSION,
                    max_size=None,
                    max_queue=None,
                    ping_interval=None,
                )
                for cookie in cookies[start : start + 20]
            )
        )
    listeners = [
        asyncio.create_task(client.listen(socket))
        for client, socket in zip(clients, sockets, strict=True)
    ]
    try:
        requests = [
            _webhook(account, numbers[seq % len(numbers)], seq)
            for seq in range(WARMUP + WEBHOOKS)
        ]
        await _send(server.url, requests[:WARMUP], {}, {})
        await _drain(clients, range(WARMUP), timeout=GRACE)
        cpu = (
            server.cpu_seconds(),
            common.cpu_seconds(),
            server.applier_cpu_seconds(),
        )
        # Django's database calls are for threads without an event loop.
        database = await asyncio.to_thread(common.database_cpu_seconds)
        tally = common.StatementTally()
        await asyncio.to_thread(tally.start)
        sent: dict[int, float] = {}
        answered: dict[int, float] = {}
        late = await _send(server.url, requests[WARMUP:], sent, answered, first=WARMUP)
        timed = range(WARMUP, WARMUP + WEBHOOKS)
        await _drain(clients, timed, timeout=GRACE)
        web_cpu, client_cpu, applier_cpu = (
            server.cpu_seconds() - cpu[0],
            common.cpu_seconds() - cpu[1],
            server.applier_cpu_seconds() - cpu[2],
        )
        database = await asyncio.to_thread(common.database_cpu_seconds) - database
        await asyncio.to_thread(tally.stop)
        web_ms, db_ms = web_cpu / WEBHOOKS * 1000, database / WEBHOOKS * 1000
        applier_ms = applier_cpu / WEBHOOKS * 1000
        costs = common.per_event(WEBHOOKS, tally, web_ms, applier_ms, db_ms)
    finally:
        for socket in sockets:
            await socket.close()
        await asyncio.gather(*listeners)
    latencies = [
        client.received[seq] - sent[seq]
        for client in clients
        for seq in timed
        if seq in client.received
    ]
    missed = len(clients) * len(timed) - len(latencies)
    return {
        "clients": len(clients),
        "events": WEBHOOKS,
        "missed": missed,
        **(common.percentiles_ms(latencies, 50, 95, 99) if latencies else {}),
        "max_ms": round(max(latencies, default=0) * 1000, 2),
        "late_sends": late,
        **{
            f"webhook_{key}": value
            for key, value in common.percentiles_ms(
                [answered[seq] - sent[seq] for seq in timed], 50, 95
            ).items()
        },
        # Per webhook: the server's CPU (webhook, broadcast and CLIENTS sends) and
        # this process's (the sender and the CLIENTS sockets).
        "web_cpu_ms": round(web_ms, 2),
        "applier_cpu_ms": round(applier_ms, 2),
        "db_cpu_ms": round(db_ms, 2),
        "client_cpu_ms": round(client_cpu / WEBHOOKS * 1000, 2),
        **costs,
    }


async def _send(base_url, requests, sent: dict, answered: dict, *, first=0) -> int:
    """POST the webhooks one every INTERVAL (open loop: a slow answer does not
    delay the next webhook unless all SENDERS connections are busy). Records when
    each was sent and answered; returns how many left over INTERVAL after their
    slot (the server was not keeping up)."""
    idle = asyncio.Queue()
    for _ in range(SENDERS):
        idle.put_nowait(http_client.connection_to(base_url))
    failures, tasks, late = [], [], 0

    async def post(conn, seq, path, headers, body):
        try:
            sent[seq] = time.perf_counter()
            status, answer = await conn.request("POST", path, headers, body)
            answered[seq] = time.perf_counter()
            if status != 200:
                failures.append((seq, status, answer[:200]))
        finally:
            idle.put_nowait(conn)

    started = time.perf_counter()
    for n, (path, headers, body) in enumerate(requests):
        slot = started + n * INTERVAL
        await asyncio.sleep(max(0.0, slot - time.perf_counter()))
        conn = await idle.get()
        late += time.perf_counter() - slot > INTERVAL
        tasks.append(asyncio.create_task(post(conn, first + n, path, headers, body)))
    await asyncio.gather(*tasks)
    while not idle.empty():
        await idle.get_nowait().close()
    if failures:
        raise RuntimeError(f"{len(failures)} webhooks failed, e.g. {failures[:3]}")
    return late


async def _drain(clients, seqs, *, timeout: float) -> None:
    """Wait until every client has every scan, or `timeout` seconds."""
    deadline = time.perf_counter() + timeout
    wanted = set(seqs)
    while time.perf_counter() < deadline:
        if all(wanted <= client.received.keys() for client in clients):
            return
        await asyncio.sleep(0.05)
