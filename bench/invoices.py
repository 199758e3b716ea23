"""Invoices: PDF rendering, stored PDF downloads, and the monthly statements run.

- pdf_first: 60 freshly issued one-page invoices (5-8 lines each), rendered and
  stored in this process with `invoices.pdf.store_pdf` (after 5 to warm up);
- pdf_stored: a signed-in staff member downloads those stored PDFs through the real
  web server, GET /invoices/<id>/pdf, 300 times one after another;
- statements_10k_s: 10,000 customers with an invoice last month (most paid, some
  credited) and history the month before (opening balances), written with
  `generate_series`; then the monthly run as production runs it: a Celery worker
  (concurrency 2) and `invoices_monthly_statements`, timed until 10,000 statements
  exist.
"""

import asyncio
import os
import random
import subprocess
import time
from datetime import date, timedelta
from decimal import Decimal

from bench import common, http_client, orders_list

CUSTOMERS = common.sized(10_000, 50)
PDF_INVOICES = common.sized(60, 3)
PDF_WARMUP = common.sized(5, 1)
DOWNLOADS = common.sized(300, 5)
DOWNLOAD_WARMUP = common.sized(20, 1)
STATEMENTS_TIMEOUT = 1800  # seconds
TARGETS = {
    "pdf_first_p95_ms": ("<", 200),
    "pdf_stored_p95_ms": ("<", 20),
    "statements_10k_s": ("<", 600),
}
PRODUCTS = [
    ("MUG-01", "Stoneware mug, sand", "189.00"),
    ("SOCK-03", "Wool socks, 3-pack", "249.00"),
    ("THROW-02", "Linen throw, moss", "899.00"),
    ("CANDLE-04", "Beeswax candles, 4 pcs", "129.00"),
    ("BOARD-01", "Oak serving board", "459.00"),
    ("LAMP-02", "Table lamp, opal glass", "1290.00"),
    ("CARAFE-01", "Glass carafe, 1 l", "329.00"),
    ("TOWEL-02", "Waffle towel, oat", "199.00"),
]


def run() -> dict[str, float]:
    from django.db import connection, transaction

    store, staff, _token = orders_list._tenant_create(
        "Bench Billing", "bench-billing", staff=True
    )
    _profile(store.merchant)
    from invoices.services.statements import monthly_period

    month = monthly_period()[0]  # last month, as the beat run picks it
    started = time.perf_counter()
    with connection.cursor() as cursor:
        orders_list._customers_seed(cursor, store, CUSTOMERS)
        # Documents and their lines in one transaction, as issuing writes them
        # (a line is refused after it: invoices migration 0006).
        with transaction.atomic():
            _billing_seed(cursor, store, month)
        cursor.execute("VACUUM ANALYZE")
    seed_seconds = time.perf_counter() - started

    invoice_ids = _issue(store, random.Random(7))
    first = _render(invoice_ids)
    with common.web_server("invoices") as server:
        stored = asyncio.run(
            _downloads(server.url, _session_cookie(staff), invoice_ids)
        )
    statements, costs = _statements(month)
    return {
        "customers": CUSTOMERS,
        "seed_s": round(seed_seconds, 1),
        "pdf_first_p50_ms": first["p50_ms"],
        "pdf_first_p95_ms": first["p95_ms"],
        "pdf_stored_p50_ms": stored["p50_ms"],
        "pdf_stored_p95_ms": stored["p95_ms"],
        "statements_10k_s": statements,
        # The event is one customer's monthly statement (the worker's run).
        **costs,
    }


def _profile(merchant) -> None:
    from invoices.services import billing_profile

    profile = billing_profile(merchant)
    profile.legal_name = "Bench Billing AB"
    profile.address = "Lagervägen 12\n171 54 Solna\nSweden"
    profile.vat_number = "SE556677889901"
    profile.payment_instructions = "Bankgiro 5839-8257. Quote the invoice number."
    profile.save()


# --- Seeding the statements' month -------------------------------------------------


def _billing_seed(cursor, store, month: date) -> None:
    """Per customer: an invoice the month before `month` (70% paid then), an
    invoice in `month` (80% paid in it, every 10th credited 10%)."""
    before = (month - timedelta(days=1)).replace(day=1)
    params = {
        "merchant": store.merchant_id,
        "store": store.pk,
        "month": month,
        "before": before,
    }
    cursor.execute(
        """
        INSERT INTO invoices_invoice
            (merchant_id, store_id, customer_id, number, sequence, currency,
             issue_date, due_date, subtotal, tax_total, total, seller, buyer,
             order_reference, notes, pdf, issued_at, state, payment_instructions,
             void_reason)
        SELECT %(merchant)s, %(store)s, c.id, 'INV-B-' || k.n || '-' || c.rn,
               k.n * 100000 + c.rn, 'SEK', k.day, k.day + 30,
               round(k.total / 1.25, 2), k.total - round(k.total / 1.25, 2),
               k.total, '{"name": "Bench Billing AB"}'::jsonb,
               jsonb_build_object('name', c.name, 'customer_number',
                                  c.customer_number),
               '', '', '', (k.day + time '09:00') AT TIME ZONE 'Europe/Stockholm',
               'issued', '', ''
        FROM (SELECT id, name, customer_number,
                     row_number() OVER (ORDER BY id) AS rn
              FROM orders_customer WHERE merchant_id = %(merchant)s) c
        CROSS JOIN LATERAL (
            VALUES (1, %(before)s::date + (c.rn %% 20)::int,
                    (100 + c.rn %% 900)::numeric),
                   (2, %(month)s::date + (c.rn %% 25)::int,
                    (150 + c.rn * 7 %% 1800)::numeric)
        ) AS k(n, day, total)
        ORDER BY k.day, c.rn
        """,
        params,
    )
    cursor.execute(
        """
        INSERT INTO invoices_invoiceline
            (invoice_id, position, sku, description, quantity, unit_price, tax_rate,
             net_amount, tax_amount, total)
        SELECT id, 1, 'MUG-01', 'Stoneware mug, sand', 1, subtotal, 25, subtotal,
               tax_total, total
        FROM invoices_invoice WHERE merchant_id = %(merchant)s
        """,
        params,
    )
    # Payments: 70% of last month's history, 80% of this month's invoices.
    cursor.execute(
        """
        INSERT INTO invoices_payment
            (merchant_id, customer_id, invoice_id, amount, currency, method,
             reference, provider_id, received_at, note, recorded_at)
        SELECT merchant_id, customer_id, id, total, currency,
               CASE WHEN sequence %% 2 = 0 THEN 'bank_transfer' ELSE 'stripe' END,
               number, '', paid_at, '', paid_at
        FROM (
            SELECT i.*, ((i.issue_date + 3 + (i.sequence %% 3)::int) + time '14:00')
                        AT TIME ZONE 'Europe/Stockholm' AS paid_at
            FROM invoices_invoice i WHERE merchant_id = %(merchant)s
        ) i
        WHERE (i.sequence < 200000 AND i.sequence %% 10 < 7)
           OR (i.sequence > 200000 AND i.sequence %% 5 <> 0)
        """,
        params,
    )
    cursor.execute(
        """
        INSERT INTO invoices_creditnote
            (merchant_id, store_id, customer_id, invoice_id, number, sequence,
             currency, issue_date, subtotal, tax_total, total, seller, buyer,
             order_reference, notes, pdf, issued_at, reason)
        SELECT merchant_id, store_id, customer_id, id,
               'CN-B-' || (sequence - 200000), sequence - 200000, currency,
               issue_date + 1, round(total / 12.5, 2),
               round(total / 10, 2) - round(total / 12.5, 2), round(total / 10, 2),
               seller, buyer, '', '', '', issued_at + interval '1 day',
               'Goodwill: delivered late'
        FROM invoices_invoice
        WHERE merchant_id = %(merchant)s AND sequence > 200000
          AND sequence %% 10 = 5
        """,
        params,
    )


# --- PDFs ----------------------------------------------------------------------------


def _issue(store, rng: random.Random) -> list[int]:
    """PDF_INVOICES + PDF_WARMUP orders with 5-8 lines, invoiced through the
    service (their render tasks are purged before the worker starts)."""
    from invoices.services import invoice_issue_for_order
    from orders.models import Customer, Order, OrderLine

    customers = list(
        Customer.objects.filter(merchant_id=store.merchant_id).order_by("pk")[:200]
    )
    ids = []
    for n in range(PDF_INVOICES + PDF_WARMUP):
        products = rng.sample(PRODUCTS, rng.randint(5, 8))
        quantities = [rng.randint(1, 4) for _ in products]
        customer = customers[n]
        order = Order.objects.create(
            merchant_id=store.merchant_id,
            store=store,
            order_number=f"#PDF{n + 1:04d}",
            source="shopify",
            customer=customer,
            status="confirmed",
            currency="SEK",
            amount=sum(
                (Decimal(p[2]) * q for p, q in zip(products, quantities, strict=True)),
                Decimal(),
            ),
            payment_method="invoice",
            delivery_address={
                "name": customer.name,
                "company": f"{customer.name} Handel AB",
                "line1": f"Sveavägen {n + 1}",
                "postal_code": "113 46",
                "city": "Stockholm",
                "country": "SE",
            },
        )
        OrderLine.objects.bulk_create(
            OrderLine(order=order, sku=sku, title=title, quantity=q, unit_price=price)
            for (sku, title, price), q in zip(products, quantities, strict=True)
        )
        ids.append(invoice_issue_for_order(order=order, actor_label="Bench").pk)
    return ids


def _render(invoice_ids: list[int]) -> dict[str, float]:
    from invoices import pdf

    latencies = []
    for index, invoice_id in enumerate(invoice_ids):
        started = time.perf_counter()
        pdf.store_pdf("invoice", invoice_id)
        if index >= PDF_WARMUP:
            latencies.append(time.perf_counter() - started)
    return common.percentiles_ms(latencies, 50, 95)


def _session_cookie(user) -> str:
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


async def _downloads(base_url: str, cookie: str, invoice_ids) -> dict[str, float]:
    conn = http_client.connection_to(base_url)
    headers = [("Cookie", cookie), ("Accept", "application/pdf")]
    paths = [
        f"/invoices/{invoice_ids[n % len(invoice_ids)]}/pdf"
        for n in range(DOWNLOAD_WARMUP + DOWNLOADS)
    ]
    latencies = []
    try:
        for index, path in enumerate(paths):
            started = time.perf_counter()
            status, body = await conn.request("GET", path, headers)
            elapsed = time.perf_counter() - started
            if status != 200 or not body.startswith(b"%PDF"):
                raise RuntimeError(f"GET {path} answered {status}: {body[:300]}")
            if index >= DOWNLOAD_WARMUP:
                latencies.append(elapsed)
    finally:
        await conn.close()
    return common.percentiles_ms(latencies, 50, 95)


# --- The monthly statements run ----------------------------------------------------------


def _statements(month: date) -> tuple[float, dict]:
    from django.conf import settings

    from invoices.models import Statement
    from invoices.tasks import invoices_monthly_statements
    from performile.celery import app

    # The render tasks of the invoices issued above, in every queue (they go to
    # "documents"; purge() alone empties only the default queue).
    with app.connection_for_write() as connection:
        for queue in settings.WORKER_QUEUES:
            connection.default_channel.queue_purge(queue)
    log_path = common.RESULTS / "invoices-worker.log"
    with open(log_path, "wb") as log:
        worker = subprocess.Popen(
            [
                str(common.BIN / "celery"),
                "-A",
                "performile",
                "worker",
                "-Q",
                "documents,celery",
                "-c",
                "2",
                "--loglevel=warning",
                "--without-gossip",
                "--without-mingle",
            ],
            cwd=common.ROOT,
            env={**os.environ},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        _wait_worker(app, worker, log_path)
        statements = Statement.objects.filter(monthly=True, period_start=month)
        in_worker = lambda _cmd, group: group == worker.pid  # noqa: E731
        cpu = common.process_cpu_seconds(in_worker), common.database_cpu_seconds()
        tally = common.StatementTally()
        tally.start()
        started = time.perf_counter()
        invoices_monthly_statements.delay(month.isoformat())
        while statements.count() < CUSTOMERS:
            if worker.poll() is not None:
                raise RuntimeError(f"The worker exited; see {log_path}")
            if time.perf_counter() - started > STATEMENTS_TIMEOUT:
                raise RuntimeError(
                    f"{statements.count()} statements after {STATEMENTS_TIMEOUT}s"
                )
            time.sleep(1)
        seconds = round(time.perf_counter() - started, 1)
        tally.stop()
        worker_ms, db_ms = (
            (after - before) / CUSTOMERS * 1000
            for before, after in zip(
                cpu,
                (common.process_cpu_seconds(in_worker), common.database_cpu_seconds()),
                strict=True,
            )
        )
        return seconds, {
            "statement_worker_cpu_ms": round(worker_ms, 2),
            "statement_db_cpu_ms": round(db_ms, 2),
            **common.per_event(CUSTOMERS, tally, worker_ms, db_ms),
        }
    finally:
        common._stop(worker)


def _wait_worker(app, worker, log_path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if worker.poll() is not None:
            raise RuntimeError(f"The worker exited; see {log_path}")
        if app.control.ping(timeout=0.5):
            return
    raise RuntimeError(f"The worker did not answer in {timeout}s; see {log_path}")
