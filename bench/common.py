"""What the benchmark scenarios share: the bench database, the web server and the
numbers (the HTTP client is bench.http_client).

Scenarios run against their own database (`<name>_bench` on the server of
DATABASE_URL), emptied before each scenario, so `make bench` never touches data a
developer keeps in the main database.
"""

import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
# BENCH_SMOKE=1: every scenario at a tiny size, to prove it still runs (make test).
SMOKE = os.environ.get("BENCH_SMOKE", "") not in ("", "0")
RESULTS = ROOT / "bench" / "results" / ("smoke" if SMOKE else "")
BIN = Path(sys.executable).parent
SECRET_KEY = "bench-secret-key-not-for-production-0123456789abcdefghijklmnop"


def sized(full, smoke):
    """A scenario's size: `full` in `make bench`, `smoke` in the smoke run."""
    return smoke if SMOKE else full


# --- The bench database -------------------------------------------------------


# The bench database's superuser URL (pg_stat_statements); set by setup().
ADMIN_URL = ""


def setup() -> None:
    """Point this process at the bench database (created if missing), set up
    Django and migrate.

    Under `make bench` (devstack --roles) the database has production's roles
    (performile.db.roles): this process seeds and migrates as the owner, the
    platform's processes it starts (web server, appliers, workers) connect as the
    application role, and statements are counted as the superuser."""
    global ADMIN_URL
    from performile.db import roles

    base_url = os.environ.get("DATABASE_URL")
    if not base_url or not os.environ.get("REDIS_URL"):
        sys.exit("DATABASE_URL and REDIS_URL are required: run it with `make bench`.")
    base_admin_url = os.environ.get("DATABASE_ADMIN_URL") or base_url
    app_url = _bench_database_url(base_url)
    owner_url = _bench_database_url(os.environ.get("DATABASE_OWNER_URL") or base_url)
    ADMIN_URL = _bench_database_url(base_admin_url)
    _create_database(base_admin_url, app_url)
    if owner_url != app_url:
        roles.provision_from_urls(ADMIN_URL, owner_url, app_url)
    os.environ.update(
        DATABASE_URL=owner_url,
        # BENCH_SETTINGS_MODULE: to measure a settings change before making it.
        DJANGO_SETTINGS_MODULE=os.environ.get(
            "BENCH_SETTINGS_MODULE", "performile.settings.base"
        ),
        SECRET_KEY=SECRET_KEY,
        DEBUG="0",
        LOG_LEVEL="WARNING",
        LOG_FORMAT="console",
        # A bench's one staff member asks far more than a client may: the limit
        # is still counted on every request (its cost is measured), never reached.
        API_RATE_LIMIT_PER_MINUTE=os.environ.get(
            "API_RATE_LIMIT_PER_MINUTE", "100000000"
        ),
    )
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    # Read by the processes started from here; this one's settings are made.
    os.environ["DATABASE_URL"] = app_url


def reset() -> None:
    """Empty every table of the bench database."""
    from django.core.management import call_command

    call_command("flush", interactive=False, verbosity=0)


def _bench_database_url(url: str) -> str:
    """<name>_bench beside DATABASE_URL's database, or BENCH_DATABASE."""
    parts = urlsplit(url)
    name = parts.path.lstrip("/") or "performile"
    name = os.environ.get("BENCH_DATABASE") or f"{name}_bench"
    return urlunsplit(parts._replace(path=f"/{name}"))


def _create_database(admin_url: str, bench_url: str) -> None:
    import psycopg
    from psycopg import sql

    from performile.db.roles import libpq_url

    name = urlsplit(bench_url).path.lstrip("/")
    with psycopg.connect(libpq_url(admin_url), autocommit=True) as conn:
        if not conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [name]
        ).fetchone():
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


# --- The web server -----------------------------------------------------------


class Server:
    def __init__(self, url: str, pid: int, applier_pids: list[int]):
        self.url, self.pid, self.applier_pids = url, pid, applier_pids

    def cpu_seconds(self) -> float:
        """CPU used so far by the server's processes (its workers included)."""
        return process_cpu_seconds(lambda _cmd, group: group == self.pid)

    def applier_cpu_seconds(self) -> float:
        """CPU used so far by the inbound appliers (`manage.py inbound_apply`)."""
        return applier_cpu_seconds(self.applier_pids)


def database_cpu_seconds() -> float:
    """CPU used so far by PostgreSQL's backends for the bench database."""
    from django.conf import settings

    name = settings.DATABASES["default"]["NAME"]
    return process_cpu_seconds(
        lambda cmd, _group: cmd.startswith("postgres: ") and f" {name} " in cmd
    )


@contextmanager
def web_server(name: str, workers: int = 2):
    """The real ASGI server (as deployed: uvicorn, DEBUG off) on a free port, with
    two inbound appliers beside it, one for providers' deliveries and one for
    domain events (docs/inbound.md, Scale-out).

    Yields a Server (its URL and CPU use); its output goes to
    bench/results/<name>-server.log, the appliers' to <name>-applier.log.
    """
    port = _free_port()
    RESULTS.mkdir(parents=True, exist_ok=True)
    log_path = RESULTS / f"{name}-server.log"
    env = {**os.environ, "ALLOWED_HOSTS": "127.0.0.1,localhost"}
    command = _server_command(port, workers)
    with open(log_path, "wb") as log:
        server = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    base_url = f"http://127.0.0.1:{port}"
    try:
        with appliers(name) as applier_pids:
            _wait_healthy(base_url, server, log_path)
            yield Server(base_url, server.pid, applier_pids)
    finally:
        _stop(server)


@contextmanager
def appliers(name: str):
    """One inbound applier for providers' deliveries and one, at a lower CPU
    priority, for domain events (docs/inbound.md, Scale-out). Yields their process
    group ids; their output goes to bench/results/<name>-applier.log."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    with open(RESULTS / f"{name}-applier.log", "wb") as log:
        processes = [
            subprocess.Popen(
                [str(BIN / "python"), "manage.py", "inbound_apply", *arguments],
                cwd=ROOT,
                env=os.environ,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
            for arguments in (
                ["--only", "deliveries"],
                # Invoices and messages wait while webhooks and sockets are busy.
                ["--only", "events", "--nice", "10"],
            )
        ]
    try:
        yield [process.pid for process in processes]
    finally:
        for process in processes:
            _stop(process)


def applier_cpu_seconds(pids: list[int]) -> float:
    return process_cpu_seconds(lambda _cmd, group: group in pids)


def next_delivery_id() -> int:
    """The id the next recorded delivery will have, at least (marks a timed part)."""
    from performile.models import InboundDelivery

    last = InboundDelivery.objects.order_by("-pk").values_list("pk", flat=True)
    return (last.first() or 0) + 1


def applied_since(first_id: int) -> tuple[list[float], float]:
    """For the deliveries from `first_id` on (events aside): each one's seconds
    from recorded to applied, and the seconds from the first recorded to the last
    applied."""
    from performile.models import InboundDelivery

    rows = list(
        InboundDelivery.objects.filter(pk__gte=first_id)
        .exclude(provider="event")
        .values_list("received_at", "finished_at")
    )
    waits = [(done - received).total_seconds() for received, done in rows]
    span = (max(d for _r, d in rows) - min(r for r, _d in rows)).total_seconds()
    return waits, span


def wait_applied(timeout: float = 300) -> None:
    """Until every recorded inbound delivery has been applied (or has failed)."""
    from performile.models import InboundDelivery

    deadline = time.monotonic() + timeout
    while InboundDelivery.objects.filter(status="pending").exists():
        if time.monotonic() > deadline:
            raise RuntimeError(f"Deliveries still pending after {timeout}s")
        time.sleep(0.05)


def _server_command(port: int, workers: int) -> list[str]:
    # BENCH_SERVER=gunicorn serves the WSGI application instead, to compare.
    if os.environ.get("BENCH_SERVER") == "gunicorn":
        return [
            str(BIN / "gunicorn"),
            "performile.wsgi:application",
            f"--bind=127.0.0.1:{port}",
            f"--workers={workers}",
            "--worker-class=gthread",
            "--threads=8",
            "--log-level=warning",
        ]
    return [
        str(BIN / "uvicorn"),
        "performile.asgi:application",
        "--host=127.0.0.1",
        f"--port={port}",
        f"--workers={workers}",
        "--no-server-header",
        "--lifespan=off",
        "--log-level=warning",
    ]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_healthy(base_url: str, server, log_path: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"The web server exited; see {log_path}")
        if _answers(base_url):
            return
        time.sleep(0.2)
    raise RuntimeError(f"The web server was not healthy in {timeout}s; see {log_path}")


def _answers(base_url: str) -> bool:
    """The server reaches its database and Redis. Its /healthz may still say 503
    for what a bench stages: no workers run, and seeded work waits past its limit."""
    try:
        with urllib.request.urlopen(f"{base_url}/healthz", timeout=2) as response:
            body = json.load(response)
    except urllib.error.HTTPError as error:
        body = json.load(error)
    except (OSError, ValueError):
        return False
    return body.get("database") == "ok" and body.get("redis") == "ok"


def _stop(server: subprocess.Popen) -> None:
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


# --- Numbers ----------------------------------------------------------------------


def percentiles_ms(latencies: list[float], *points: int) -> dict[str, float]:
    """{"p50_ms": ..., ...} of latencies given in seconds."""
    cuts = statistics.quantiles(latencies, n=100, method="inclusive")
    return {f"p{point}_ms": round(cuts[point - 1] * 1000, 2) for point in points}


def cpu_seconds() -> float:
    """CPU time this process has used (user + system)."""
    times = os.times()
    return times.user + times.system


def process_cpu_seconds(match) -> float:
    """CPU time (user + system) of the running processes for which
    `match(command_line, process_group)` is true; 0 where /proc is missing.
    CPU time, unlike throughput, is barely moved by what else shares the machine."""
    total = 0.0
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            fields = (proc / "stat").read_text().rpartition(")")[2].split()
        except OSError:
            continue
        if match(cmdline, int(fields[2])):
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def statements() -> int | None:
    """Statements run so far against the bench database, by every process (web
    server, workers, this one), from pg_stat_statements; None where the server
    does not load it (`make bench` makes the dev stack's do so)."""
    import psycopg

    from performile.db.roles import libpq_url

    # As the superuser: the extension is created by one, and its counts of every
    # role's statements are read by one.
    try:
        with psycopg.connect(libpq_url(ADMIN_URL), autocommit=True) as conn:
            conn.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
            (calls,) = conn.execute(
                "SELECT coalesce(sum(calls), 0) FROM pg_stat_statements"
                " WHERE dbid = (SELECT oid FROM pg_database"
                " WHERE datname = current_database())"
            ).fetchone()
            return int(calls)
    except psycopg.Error:
        return None


class StatementTally:
    """The statements of a scenario's timed part (or parts, added up): `with tally:`
    around each, or start() and stop(). `total` is None where statements cannot be
    counted."""

    def __init__(self):
        self.total: int | None = 0
        self._before: int | None = None

    def start(self) -> None:
        self._before = statements()

    def stop(self) -> None:
        after = statements()
        if None in (self._before, after, self.total):
            self.total = None
        else:
            self.total += after - self._before

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop()


def per_event(events: int, tally: StatementTally, *cpu_ms: float) -> dict:
    """The cost of one event of the timed part: every SQL statement any process ran
    for it, and the CPU of the processes that served it (the scenario's own
    *_cpu_ms per event, added up)."""
    costs = {"cpu_ms_per_event": round(sum(cpu_ms), 2)}
    if tally.total is not None and events:
        costs["statements_per_event"] = round(tally.total / events, 1)
    return costs


def views_per_event(results: dict, requests: int, tally: StatementTally) -> dict:
    """Cost per page view or command over several kinds measured alike (each
    `results[kind]` has its web_cpu_ms and db_cpu_ms per request)."""
    cpu = sum(r["web_cpu_ms"] + r["db_cpu_ms"] for r in results.values())
    return per_event(requests * len(results), tally, cpu / len(results))


def write_results(name: str, metrics: dict[str, float]) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(metrics, indent=2) + "\n")
    return path


def print_table(name: str, metrics: dict[str, float], targets: dict) -> None:
    """One row per metric, with its target and whether it was met."""
    print(f"\n{name}")
    for metric, value in metrics.items():
        row = f"  {metric:<18} {value:>12,.2f}"
        if metric in targets:
            op, goal = targets[metric]
            met = value >= goal if op == ">=" else value < goal
            row += f"   target {op} {goal:<6} {'met' if met else 'MISSED'}"
        print(row)
