"""Errors reach Sentry when SENTRY_DSN is set: a local server stands in for
Sentry's ingest endpoint and receives the event in Sentry's envelope format."""

import gzip
import logging

import pytest
import sentry_sdk

from performile.observability import sentry_init


@pytest.fixture
def sentry(httpserver):
    httpserver.expect_request("/api/1/envelope/", method="POST").respond_with_data("{}")
    dsn = f"http://public@{httpserver.host}:{httpserver.port}/1"
    assert sentry_init(dsn, environment="test")
    yield httpserver
    sentry_sdk.get_client().close()
    sentry_sdk.init()  # no DSN: reporting off again for the other tests


def test_an_error_logged_by_the_platform_is_sent_to_sentry(sentry):
    logging.getLogger("performile.outbox").error("outbox message 42 failed: boom")
    sentry_sdk.flush(timeout=5)

    bodies = [_envelope(request) for request, _response in sentry.log]
    assert any(b"outbox message 42 failed: boom" in body for body in bodies)
    assert any(b'"environment":"test"' in body for body in bodies)


def _envelope(request) -> bytes:
    body = request.get_data()
    encoding = request.headers.get("Content-Encoding", "")
    if encoding == "gzip":
        return gzip.decompress(body)
    if encoding == "br":
        import brotli

        return brotli.decompress(body)
    return body


def test_without_a_dsn_nothing_is_set_up():
    assert sentry_init("") is False
