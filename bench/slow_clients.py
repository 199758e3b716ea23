"""Slow clients: 200 connections each sending a signed-looking webhook body a byte
every two seconds, while `/healthz` is probed.

Before request bodies were read in the event loop (performile.asgi_body), each such
client held one of the web process's threads; a few dozen held them all and the
site stopped answering. Now they wait in the event loop and the probes should not
notice them.
"""

import asyncio
import time
from urllib.parse import urlsplit

from bench import common, http_client

SLOW_CLIENTS = common.sized(200, 20)
PROBES = common.sized(200, 20)
PROBE_TIMEOUT = 10  # seconds; a probe that gets no answer counts as this long
TARGETS = {"healthz_p99_ms": ("<", 100)}


def run() -> dict[str, float]:
    from orders.models import Merchant, Store

    merchant = Merchant.objects.create(name="Slow Goods", slug="slow-goods")
    store = Store.objects.create(
        merchant=merchant, name="Slow Shopify", platform="shopify", webhook_secret="s"
    )
    with common.web_server("slow_clients") as server:
        web = server.cpu_seconds()
        database = common.database_cpu_seconds()
        with common.StatementTally() as tally:
            latencies, failed, held = asyncio.run(
                _measure(server.url, f"/webhooks/shopify/{store.webhook_key}/orders")
            )
        web = server.cpu_seconds() - web
        database = common.database_cpu_seconds() - database
    web_ms, db_ms = web / PROBES * 1000, database / PROBES * 1000
    return {
        "slow_clients": SLOW_CLIENTS,
        "slow_clients_connected": held,
        "probes": PROBES,
        "probes_failed": failed,
        **{
            f"healthz_{name}": value
            for name, value in common.percentiles_ms(latencies, 50, 95, 99).items()
        },
        "web_cpu_ms": round(web_ms, 2),
        "db_cpu_ms": round(db_ms, 2),
        **common.per_event(PROBES, tally, web_ms, db_ms),
    }


async def _measure(base_url: str, path: str):
    address = urlsplit(base_url)
    stop = asyncio.Event()
    connected = []

    async def slow_client():
        reader, writer = await asyncio.open_connection(address.hostname, address.port)
        writer.write(
            f"POST {path} HTTP/1.1\r\nHost: {address.hostname}\r\n"
            "Content-Type: application/json\r\nX-Shopify-Topic: orders/create\r\n"
            "Content-Length: 100000\r\n\r\n{".encode()
        )
        await writer.drain()
        connected.append(True)
        try:
            while not stop.is_set():
                try:
                    await asyncio.wait_for(stop.wait(), 2)
                except TimeoutError:
                    writer.write(b" ")  # JSON whitespace, one byte at a time
                    await writer.drain()
        finally:
            writer.close()

    clients = [asyncio.create_task(slow_client()) for _ in range(SLOW_CLIENTS)]
    await asyncio.sleep(3)  # every one of them is in, and has sent a byte more
    latencies, failed = [], 0
    conn = http_client.connection_to(base_url)
    for _ in range(PROBES):
        started = time.perf_counter()
        try:
            async with asyncio.timeout(PROBE_TIMEOUT):
                status, _body = await conn._request("GET", "/healthz", (), b"")
            if status != 200:
                failed += 1
        except (TimeoutError, OSError, RuntimeError):
            failed += 1
            await conn.close()
            conn = http_client.connection_to(base_url)
        latencies.append(time.perf_counter() - started)
        await asyncio.sleep(0.02)
    await conn.close()
    held = len(connected)
    stop.set()
    await asyncio.gather(*clients, return_exceptions=True)
    return latencies, failed, held
