"""Read a request's whole body in the event loop, before a thread is taken.

a2wsgi hands an HTTP request to one of its threads as soon as the headers are in,
and the thread then blocks reading the body. A client that sends a declared
100 kB body a byte every two seconds holds a thread for minutes; a few dozen such
clients hold them all, and the site (`/healthz` included) stops answering. Here the
body is read first, by the event loop, where a waiting client costs a few kB and no
thread; the application then gets it at once. A body larger than the limit is
refused with 413 before it is read, one that does not arrive in time with 408,
both in the API's error shape (docs/faults.md). A body sent in chunks (no
Content-Length) reaches the application with its length, as one.
"""

import asyncio
import json


class BufferedBody:
    def __init__(
        self, app, *, max_bytes: int, idle_seconds: float, total_seconds: float
    ):
        self.app = app
        self.max_bytes = max_bytes
        self.idle_seconds = idle_seconds
        self.total_seconds = total_seconds

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        if _declared_length(scope) > self.max_bytes:
            return await _refuse(
                send, 413, "too_large", "The request body is too large."
            )
        try:
            body = await asyncio.wait_for(self._read(receive), self.total_seconds)
        except TimeoutError:
            return await _refuse(
                send, 408, "timeout", "The request body did not arrive in time."
            )
        except _TooLarge:
            return await _refuse(
                send, 413, "too_large", "The request body is too large."
            )
        if body is None:
            return None  # the client went away
        if _declared_length(scope) != len(body):  # sent chunked
            scope = {**scope, "headers": _with_length(scope["headers"], len(body))}
        given = False

        async def replay():
            nonlocal given
            if not given:
                given = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()  # only a disconnect comes after the body

        return await self.app(scope, replay, send)

    async def _read(self, receive) -> bytes | None:
        chunks, size = [], 0
        while True:
            message = await asyncio.wait_for(receive(), self.idle_seconds)
            if message["type"] == "http.disconnect":
                return None
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                raise _TooLarge
            chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks)


class _TooLarge(Exception):
    pass


def _declared_length(scope) -> int:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return 0
    return 0


def _with_length(headers, length: int) -> list:
    """The headers of a body now read whole: its length, no transfer coding."""
    kept = [
        (name, value)
        for name, value in headers
        if name not in (b"content-length", b"transfer-encoding")
    ]
    return [*kept, (b"content-length", str(length).encode())]


async def _refuse(send, status: int, code: str, message: str) -> None:
    body = json.dumps({"error": {"code": code, "message": message}}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
