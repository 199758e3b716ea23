"""A database that is away or restarted: no dead connection is handed out, and what
fails answers 503 at once (performile.unavailable, docs/faults.md)."""

import json
import uuid

import psycopg
import pytest
from django.conf import settings
from django.db import OperationalError, connection, transaction
from django.test import RequestFactory

from performile.db.base import DatabaseWrapper
from performile.unavailable import DatabaseUnavailableMiddleware


def _own_pool():
    """The pool our database backend builds from the settings, with one
    connection (so the one it hands out is the one the test killed)."""
    database = connection.settings_dict
    options = dict(database["OPTIONS"])
    options["pool"] = {**options["pool"], "min_size": 1, "max_size": 1}
    alias = f"pool-test-{uuid.uuid4().hex[:8]}"  # pools are kept per alias
    wrapper = DatabaseWrapper({**database, "OPTIONS": options}, alias=alias)
    pool = wrapper.pool
    pool.open()
    return pool


@pytest.mark.django_db
def test_the_pool_hands_out_no_connection_postgresql_has_closed():
    assert settings.DATABASES["default"]["CONN_HEALTH_CHECKS"]
    pool = _own_pool()
    try:
        with pool.connection() as first:
            pid = first.info.backend_pid
            first._performile_checked_at = 0.0  # idle for a while, as after a night
        # As after a restart of PostgreSQL: the idle pooled connection is gone.
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])

        with pool.connection() as second:
            assert second.execute("SELECT 1").fetchone() == (1,)
            assert second.info.backend_pid != pid
    finally:
        pool.close()


@pytest.mark.django_db
def test_a_connection_in_steady_use_is_not_tried_on_every_request():
    pool = _own_pool()
    try:
        with pool.connection() as conn:
            pid = conn.info.backend_pid  # tried: new to the pool
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
        # Used a moment ago: handed out without a round trip, so the loss shows
        # only when it is used (answered 503; the pool replaces it).
        with pool.connection() as conn:
            assert conn.info.backend_pid == pid
            with pytest.raises(psycopg.OperationalError):
                conn.execute("SELECT 1")
    finally:
        pool.close()


def _a_real_operational_error() -> OperationalError:
    """What PostgreSQL raises when it gives up on a query."""
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL statement_timeout = 1")
            cursor.execute("SELECT pg_sleep(1)")
    except OperationalError as exc:
        return exc
    raise AssertionError("the query was not cancelled")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("/api/orders/", "application/json"),
        ("/webhooks/shopify/key/orders", "application/json"),
        ("/orders/", "text/html"),
    ],
)
def test_a_database_error_is_answered_503_with_retry_after(path, kind):
    middleware = DatabaseUnavailableMiddleware(lambda request: None)
    request = RequestFactory().get(path)

    response = middleware.process_exception(request, _a_real_operational_error())

    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response["Content-Type"].startswith(kind)
    if kind == "application/json":
        assert json.loads(response.content)["error"]["code"] == "database_unavailable"
    else:
        assert b"cannot reach our database" in response.content


def test_other_errors_are_left_to_the_usual_handling():
    middleware = DatabaseUnavailableMiddleware(lambda request: None)
    request = RequestFactory().get("/orders/")

    assert middleware.process_exception(request, ValueError("bug")) is None


@pytest.fixture
def database_proxy(transactional_db):
    """A proxy to the test database that the test can take down, as a PostgreSQL
    that is stopped or restarting."""
    from tests.faults import StallingProxy

    database = connection.settings_dict
    host, port = database["HOST"] or "localhost", int(database["PORT"] or 5432)
    if host.startswith("/"):  # a Unix socket's directory (the devstack's)
        proxy = StallingProxy("postgres://", unix_socket=f"{host}/.s.PGSQL.{port}")
    else:
        proxy = StallingProxy(f"postgres://{host}:{port}")
    yield proxy
    proxy.close()


def test_a_database_outage_is_answered_503_at_once_and_recovered_from(
    database_proxy, client, staff_user
):
    import time
    from urllib.parse import urlsplit

    import httpx

    from tests.servers import WebServer, database_url_for_tests

    client.force_login(staff_user)
    signed_in = {"sessionid": client.cookies["sessionid"].value}
    proxy_port = urlsplit(database_proxy.url).port
    url = database_url_for_tests(host="127.0.0.1", port=proxy_port)
    env = {"DATABASE_URL": url}
    with WebServer(env=env, ready_path="/healthz") as server:

        def call(path, method="GET"):
            started = time.monotonic()
            response = httpx.request(
                method,
                f"{server}{path}",
                timeout=10,
                json={},
                cookies=signed_in if path == "/orders/" else None,
            )
            return response, time.monotonic() - started

        assert call("/healthz")[0].json()["database"] == "ok"
        assert call("/orders/")[0].status_code == 200
        database_proxy.down()
        # The first requests find their connections cut, or wait for the pool.
        deadline = time.monotonic() + 10
        while call("/healthz")[1] > 1.0:
            assert time.monotonic() < deadline
        for method, path, kind in (
            ("GET", "/healthz", "application/json"),
            ("POST", f"/webhooks/shopify/{uuid.uuid4()}/orders", "application/json"),
            ("GET", "/orders/", "text/html"),
        ):
            response, seconds = call(path, method)
            assert response.status_code == 503, path
            assert seconds < 1.0, (path, seconds)  # not the pool's 2 s wait
            assert response.headers["content-type"].startswith(kind)
            if path != "/healthz":  # it reports, rather than asks for a retry
                assert response.headers["retry-after"] == "5"
        assert call("/healthz")[0].json()["database"].startswith("error")

        database_proxy.up()
        deadline = time.monotonic() + 10  # the pool tries again every second
        while (response := call("/healthz")[0]).json()["database"] != "ok":
            assert time.monotonic() < deadline, response.json()
        assert call("/orders/")[0].status_code == 200
