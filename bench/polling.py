"""Tracking polls for 100,000 active shipments against the sandbox courier, and
booking round trips.

The sandbox courier runs as its own process (speed 0: parcels move only when told);
100,000 parcels are seeded in it in one call and moved on two events (picked up, at
a sorting terminal), and the matching orders and shipments rows are inserted with
set-based SQL, all due for a poll. Then:

- select_batch_ms: shipments_claim_due(batch=100) on the full table, one call after
  another (p95);
- polls_per_s: the real polling path (shipments_claim_due, then shipments_poll on
  each claimed batch, as the Celery batch task does) in two worker processes, each with its
  own Django and database connection, for a fixed time;
- booking_p95_ms: shipments.services.shipment_book in this process (the service
  path, not HTTP) for fresh orders, one after another.
"""

import json
import multiprocessing
import tempfile
import threading
import time
from collections import Counter
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from bench import common

SHIPMENTS = common.sized(100_000, 1_000)
ADVANCE_STEPS = 2  # BOOKED -> PICKED_UP -> IN_TRANSIT: a poll finds news
WORKERS = 2
POLL_SECONDS = common.sized(40, 3)
POLL_WARMUP_SECONDS = common.sized(5, 1)
SELECT_CALLS = common.sized(50, 5)
BOOKINGS = common.sized(100, 5)
BOOKING_WARMUP = common.sized(5, 1)
API_KEY = "bench-polling"
TARGETS = {
    "polls_per_s": (">=", 300),
    "polls_nonews_per_s": (">=", 1000),
    "select_batch_ms": ("<", 5),
    "booking_p95_ms": ("<", 300),
}

ADDRESS = {
    "name": "Eva Lind",
    "line1": "Storgatan 1",
    "postal_code": "11122",
    "city": "Stockholm",
    "country": "SE",
    "phone": "+46701234567",
}
PICKUP = {**ADDRESS, "name": "Bench Goods warehouse", "city": "Solna"}
PACKAGE = {"weight_kg": "1.5", "length_cm": "30", "width_cm": "20", "height_cm": "10"}


def run() -> dict[str, float]:
    from django.db import connection

    from sandbox_courier import harness

    with harness.start(speed=0) as sandbox:
        store, account = _tenant_create(sandbox.base_url)
        started = time.perf_counter()
        numbers = sandbox.seed(API_KEY, _sandbox_booking(), SHIPMENTS)
        sandbox.control(
            API_KEY, "advance", {"all": True, "steps": ADVANCE_STEPS}, timeout=600
        )
        sandbox_seed_seconds = time.perf_counter() - started
        started = time.perf_counter()
        with connection.cursor() as cursor:
            _rows_seed(cursor, store, account, numbers)
            cursor.execute("ANALYZE")
        seed_seconds = time.perf_counter() - started

        select = _select_measure()
        polls = _polls_measure(sandbox)
        # Polled again right away: the courier has nothing new (speed 0). The
        # parcels never polled (still with news) wait.
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE shipments_shipment SET next_poll_at = now() + interval '1 day'"
                " WHERE last_event_at IS NULL"
            )
        nonews = _polls_measure(sandbox, refill=True)
        booking = _booking_measure(store, account)
    return {
        "shipments": SHIPMENTS,
        "seed_s": round(seed_seconds, 1),
        "sandbox_seed_s": round(sandbox_seed_seconds, 1),
        **polls,
        "polls_nonews_per_s": nonews["polls_per_s"],
        "polls_nonews_unchanged": nonews["polls_unchanged"],
        "nonews_statements_per_poll": nonews.get("statements_per_event", 0),
        "nonews_cpu_ms_per_poll": nonews["cpu_ms_per_event"],
        **select,
        **booking,
    }


# --- Seeding ----------------------------------------------------------------------


def _tenant_create(base_url: str):
    from orders.models import Merchant, Store
    from shipments.models import CourierAccount

    merchant = Merchant.objects.create(name="Bench Goods", slug="bench-goods")
    store = Store.objects.create(
        merchant=merchant,
        name="Bench Shopify",
        platform="shopify",
        currency="SEK",
        pickup_address=PICKUP,
    )
    account = CourierAccount.objects.create(
        merchant=merchant,
        courier="sandbox",
        name="Sandbox Post",
        base_url=base_url,
        api_key=API_KEY,
    )
    return store, account


def _sandbox_booking() -> dict:
    """A POST /v1/shipments body, without notify_url: polling is the only news."""
    return {
        "reference": "bench",
        "service_code": "SBX_HOME",
        "sender": PICKUP,
        "recipient": ADDRESS,
        "parcels": [PACKAGE],
    }


def _rows_seed(cursor, store, account, numbers: list[str]) -> None:
    """An order (confirmed, with the tracking number) and a shipment (booked, due
    within the last hour, oldest first) for each parcel."""
    params = {
        "merchant": store.merchant_id,
        "store": store.pk,
        "account": account.pk,
        "numbers": numbers,
        "count": len(numbers),
        "base_url": account.base_url.rstrip("/"),
    }
    cursor.execute(
        """
        INSERT INTO orders_order
            (merchant_id, store_id, order_number, source, external_id, status,
             service, payment_method, amount, currency, notes, delivery_address,
             package, tracking_number, courier, tracking_url, tracking_status,
             tracking_event, label_url,
             placed_at, created_at, updated_at)
        SELECT %(merchant)s, %(store)s, 'P' || (100000 + i), 'shopify',
               (5900000000000 + i)::text, 'confirmed', '', 'shopify_payments',
               100 + i %% 2000, 'SEK', '', %(address)s::jsonb, %(package)s::jsonb,
               number, 'Sandbox Post', %(base_url)s || '/track/' || number,
               'info_received', '', '', now() - interval '2 days',
               now() - interval '2 days', now() - interval '1 day'
        FROM unnest(%(numbers)s::text[]) WITH ORDINALITY AS t(number, i)
        """,
        {**params, "address": _json(ADDRESS), "package": _json(PACKAGE)},
    )
    cursor.execute(
        """
        INSERT INTO shipments_shipment
            (order_id, merchant_id, account_id, service_code, service_type,
             tracking_number, courier_reference, label, price, currency, sender,
             recipient, parcels, status, raw_status, next_poll_at, poll_failures,
             stuck, created_at, updated_at)
        SELECT o.id, %(merchant)s, %(account)s, 'SBX_HOME', 'home_delivery',
               o.tracking_number, '', '', 89.00, 'SEK', %(sender)s::jsonb,
               o.delivery_address, %(parcels)s::jsonb, 'info_received', 'BOOKED',
               now() - interval '1 hour' * (1 - o.id::float / max(o.id) OVER ()),
               0, false, o.created_at, o.updated_at
        FROM orders_order o
        WHERE o.store_id = %(store)s
        ORDER BY o.id
        """,
        {**params, "sender": _json(PICKUP), "parcels": _json([PACKAGE])},
    )
    if cursor.rowcount != len(numbers):
        raise RuntimeError(f"{cursor.rowcount} shipments seeded, {len(numbers)} meant")


def _json(value) -> str:
    return json.dumps(value)


# --- Measuring --------------------------------------------------------------------


def _select_measure() -> dict[str, float]:
    """shipments_claim_due(batch=100) on the full table (each call leases its 100,
    so 5,000 of the 100,000 are leased when it is done)."""
    from shipments.polling import shipments_claim_due

    shipments_claim_due(batch=100)  # warm the connection and the plan
    latencies = []
    for _ in range(SELECT_CALLS):
        started = time.perf_counter()
        ids = shipments_claim_due(batch=100)
        latencies.append(time.perf_counter() - started)
        if len(ids) != 100:
            raise RuntimeError(f"shipments_claim_due gave {len(ids)} ids, not 100")
    cuts = common.percentiles_ms(latencies, 50, 95)
    return {"select_batch_ms": cuts["p95_ms"], "select_p50_ms": cuts["p50_ms"]}


def _polls_measure(sandbox, *, refill: bool = False) -> dict[str, float]:
    """WORKERS processes polling for POLL_SECONDS. With `refill`, the shipments
    already polled are due again whenever none is left (polls without news)."""
    from django.db import connections

    connections.close_all()  # the workers open their own
    context = multiprocessing.get_context("spawn")
    courier = _pid_cpu(sandbox.process.pid)
    # The appliers dispatch what the scans cause (system messages, notifications,
    # invoices): part of a poll's cost, counted until all of it is done.
    with common.appliers("polling") as appliers:
        before = common.applier_cpu_seconds(appliers), common.database_cpu_seconds()
        with common.StatementTally() as tally:
            with context.Pool(WORKERS) as pool:
                results = pool.map(_poll_worker, [(POLL_SECONDS, refill)] * WORKERS)
            common.wait_applied(timeout=900)
        applier = common.applier_cpu_seconds(appliers) - before[0]
        # The workers' backends have gone with them (counted below): this is the
        # appliers' own.
        applier_db = common.database_cpu_seconds() - before[1]
    courier = _pid_cpu(sandbox.process.pid) - courier
    database = sum(r["db_cpu"] for r in results) + applier_db
    outcomes = sum((Counter(r["outcomes"]) for r in results), Counter())
    seconds = max(r["seconds"] for r in results)
    polled = sum(r["polled"] for r in results)
    errors = outcomes.get("error", 0)
    if not polled or errors > polled / 100:
        raise RuntimeError(f"Polling failed: {dict(outcomes)}")
    worker_cpu = sum(r["cpu"] for r in results)
    measured = sum(r["polled_all"] for r in results)  # what the CPU was spent on
    worker_ms, db_ms = worker_cpu / measured * 1000, database / measured * 1000
    applier_ms = applier / measured * 1000
    return {
        "polls": polled,
        "polls_per_s": round(polled / seconds, 1),
        "polls_changed": outcomes.get("changed", 0),
        "polls_unchanged": outcomes.get("unchanged", 0),
        "polls_held_back": outcomes.get("held back by our rate limit", 0),
        # Where the two cores went, per poll (warm-up included).
        "worker_cpu_ms": round(worker_ms, 2),
        "applier_cpu_ms": round(applier_ms, 2),
        "db_cpu_ms": round(db_ms, 2),
        "sandbox_cpu_ms": round(courier / measured * 1000, 2),
        **common.per_event(measured, tally, worker_ms, applier_ms, db_ms),
    }


def _refill() -> None:
    """Make the shipments polled before due again (a bench-only write)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE shipments_shipment SET next_poll_at = now() - interval '1 second'"
            " WHERE last_event_at IS NOT NULL"
            " AND next_poll_at > now() + interval '10 minutes'"
        )


def _pid_cpu(pid: int) -> float:
    """CPU time (user + system) used so far by one process."""
    import os
    from pathlib import Path

    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _poll_worker(arguments: tuple[float, bool]) -> dict:
    """One worker process: claim a batch, poll each shipment, for `seconds` after
    a warm-up. Runs in a spawned process: Django is set up here."""
    seconds, refill = arguments
    import django

    django.setup()
    from django.db import connection

    from shipments.polling import shipments_claim_due, shipments_poll

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]
    outcomes = Counter()
    polled = polled_all = 0
    warm_until = time.monotonic() + POLL_WARMUP_SECONDS
    started = stop = None
    cpu, database = common.cpu_seconds(), _pid_cpu(backend)
    while stop is None or time.monotonic() < stop:
        now = time.monotonic()
        if started is None and now >= warm_until:
            started, stop = now, now + seconds
            outcomes.clear()
            polled = 0
        ids = shipments_claim_due(batch=100)
        if not ids and refill:
            _refill()
            continue
        if not ids:
            raise RuntimeError("No due shipments left: seed more or poll shorter")
        # The task's path: ask about the batch, apply the answers together.
        batch = shipments_poll(ids)
        outcomes.update(batch)
        polled_all += sum(batch.values())
        polled += sum(
            count
            for outcome, count in batch.items()
            if outcome not in ("held back by our rate limit", "error")
        )
    return {
        "seconds": time.monotonic() - started,
        "polled": polled,
        "polled_all": polled_all,
        "outcomes": dict(outcomes),
        "cpu": common.cpu_seconds() - cpu,
        # Its PostgreSQL backend's, read before it exits with this process.
        "db_cpu": _pid_cpu(backend) - database,
    }


def _booking_measure(store, account) -> dict[str, float]:
    from django.test import override_settings

    from orders.models import Order
    from shipments.services import shipment_book

    orders = [
        Order.objects.create(
            store=store,
            merchant_id=store.merchant_id,
            order_number=f"B{n}",
            status="payment_verified",
            currency="SEK",
            amount=249,
            delivery_address=ADDRESS,
            package=PACKAGE,
        )
        for n in range(BOOKING_WARMUP + BOOKINGS)
    ]
    latencies = []
    with (
        tempfile.TemporaryDirectory() as media,
        _webhook_sink() as public_url,
        override_settings(MEDIA_ROOT=media, PUBLIC_BASE_URL=public_url),
    ):
        for n, order in enumerate(orders):
            started = time.perf_counter()
            _shipment, booked = shipment_book(
                order=order,
                account=account,
                service_code="SBX_HOME",
                service_type="home_delivery",
                sender=PICKUP,
                recipient=ADDRESS,
                parcels=[PACKAGE],
                actor=None,
            )
            elapsed = time.perf_counter() - started
            if not booked:
                raise RuntimeError(f"Order {order.order_number} was not booked")
            if n >= BOOKING_WARMUP:
                latencies.append(elapsed)
        time.sleep(2)  # the last bookings' BOOKED webhooks (sent after 1 s)
    return {
        "bookings": BOOKINGS,
        **{
            f"booking_{key}": value
            for key, value in common.percentiles_ms(latencies, 50, 95).items()
        },
    }


@contextmanager
def _webhook_sink():
    """A base URL whose webhooks are answered 204 and dropped: a booking sends the
    sandbox our notify_url, and its BOOKED event should land somewhere quietly."""

    class Sink(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - http.server's naming
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *_args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Sink)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
