"""Slow clients hold no thread: request bodies are read in the event loop before a
thread takes the request (performile.asgi_body)."""

import asyncio
import socket
import time
from urllib.parse import urlsplit

import httpx
import pytest

from performile.asgi_body import BufferedBody
from tests.factories import StoreFactory


def test_slow_uploads_leave_the_site_answering(asgi_server):
    store = StoreFactory()
    address = urlsplit(asgi_server)
    slow = []
    try:
        # More of them than the server has threads (WEB_THREADS, 16), each one
        # having sent its headers and the first byte of a 100 kB body.
        for _ in range(40):
            client = socket.create_connection((address.hostname, address.port))
            # A webhook reads its body to check the signature.
            client.sendall(
                f"POST /webhooks/shopify/{store.webhook_key}/orders HTTP/1.1\r\n"
                "Host: localhost\r\nContent-Type: application/json\r\n"
                "Content-Length: 100000\r\n\r\n{".encode()
            )
            slow.append(client)
        started = time.monotonic()
        response = httpx.get(f"{asgi_server}/healthz", timeout=10)
        seconds = time.monotonic() - started
    finally:
        for client in slow:
            client.close()

    assert response.status_code == 200
    assert seconds < 2


def test_a_signed_body_sent_in_chunks_is_read_whole(asgi_server):
    from orders.models import Order
    from tests.orders.payloads import dumps, shopify_headers, shopify_order

    store = StoreFactory(platform="shopify")
    body = dumps(shopify_order(order_id=8_200_000_001, name="#CHUNKED"))
    headers = {
        name.removeprefix("HTTP_").replace("_", "-"): value
        for name, value in shopify_headers(store.webhook_secret, body).items()
    }

    def in_chunks():  # no Content-Length: Transfer-Encoding: chunked
        for start in range(0, len(body), 100):
            yield body[start : start + 100]

    response = httpx.post(
        f"{asgi_server}/webhooks/shopify/{store.webhook_key}/orders",
        content=in_chunks(),
        headers={**headers, "Content-Type": "application/json"},
        timeout=10,
    )

    assert response.status_code == 200, response.text
    assert Order.objects.filter(store=store, external_id="8200000001").exists()


def test_a_body_declared_too_large_is_refused_before_it_is_read(asgi_server):
    address = urlsplit(asgi_server)
    with socket.create_connection(
        (address.hostname, address.port), timeout=10
    ) as client:
        client.sendall(
            b"POST /webhooks/shopify/key/orders HTTP/1.1\r\nHost: localhost\r\n"
            b"Content-Length: 1000000000\r\n\r\n{"
        )
        answer = client.recv(65536)

    assert answer.startswith(b"HTTP/1.1 413 ")
    assert b'"code": "too_large"' in answer


def _call(messages, *, idle=0.2):
    """Run an application behind BufferedBody on a request whose body arrives as
    `messages` ((delay in seconds, message)); what it sent back, and what the
    application received."""
    received, sent = [], []

    async def inner(scope, receive, send):
        received.append(await receive())
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    queue = list(messages)

    async def receive():
        delay, message = queue.pop(0) if queue else (60, {"type": "http.disconnect"})
        await asyncio.sleep(delay)
        return message

    async def send(message):
        sent.append(message)

    buffered = BufferedBody(inner, max_bytes=100, idle_seconds=idle, total_seconds=5)
    scope = {"type": "http", "headers": [(b"content-length", b"6")]}
    asyncio.run(buffered(scope, receive, send))
    return sent, received


def _part(body: bytes, more: bool) -> dict:
    return {"type": "http.request", "body": body, "more_body": more}


def test_the_application_gets_the_whole_body_in_one_piece():
    sent, received = _call(
        [(0, _part(b"abc", True)), (0.05, _part(b"def", False))], idle=1
    )

    assert received == [_part(b"abcdef", False)]
    assert sent[0]["status"] == 204


def test_a_body_that_stops_arriving_is_answered_408_and_never_reaches_the_app():
    sent, received = _call([(0, _part(b"abc", True)), (3, _part(b"def", False))])

    assert received == []
    assert sent[0]["status"] == 408


@pytest.mark.parametrize("size", [101, 1000])
def test_a_body_that_grows_past_the_limit_is_answered_413(size):
    sent, received = _call([(0, _part(b"x" * size, False))], idle=1)

    assert received == []
    assert sent[0]["status"] == 413
