"""A lean HTTP/1.1 client for the benchmarks.

Client and server share two cores, so the load generator must cost little: this
keep-alive client spends a few tens of microseconds per request where httpx
spends several hundred, which would come straight off the server's share.
"""

import asyncio
import time
from urllib.parse import urlsplit

REQUEST_TIMEOUT = 30  # seconds; a hung server fails the run instead of stalling it


class Connection:
    def __init__(self, host: str, port: int):
        self.host, self.port = host, port
        self.reader = self.writer = None

    async def request(self, method: str, path: str, headers=(), body: bytes = b""):
        """(status, body) of one request; reconnects when the server closed."""
        async with asyncio.timeout(REQUEST_TIMEOUT):
            return await self._request(method, path, headers, body)

    async def _request(self, method, path, headers, body):
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(
                self.host, self.port
            )
        head = [f"{method} {path} HTTP/1.1", f"Host: {self.host}:{self.port}"]
        head += [f"{name}: {value}" for name, value in headers]
        head.append(f"Content-Length: {len(body)}")
        self.writer.write(("\r\n".join(head) + "\r\n\r\n").encode() + body)
        raw = await self.reader.readuntil(b"\r\n\r\n")
        status_line, *lines = raw.decode("latin-1").split("\r\n")
        fields = {}
        for line in lines:
            if line:
                name, _, value = line.partition(":")
                fields[name.strip().lower()] = value.strip()
        if "content-length" not in fields:
            raise RuntimeError(f"No Content-Length in the response to {path}")
        content = await self.reader.readexactly(int(fields["content-length"]))
        if fields.get("connection", "").lower() == "close":
            await self.close()
        return int(status_line.split()[1]), content

    async def close(self):
        if self.writer is not None:
            self.writer.close()
            self.writer = None


def connection_to(base_url: str) -> Connection:
    parts = urlsplit(base_url)
    return Connection(parts.hostname, parts.port)


async def run_load(base_url: str, requests, concurrency: int):
    """Send `requests` (method, path, headers, body) over `concurrency` keep-alive
    connections. Returns (seconds, [(status, latency in seconds, body)])."""
    queue = list(reversed(requests))
    results = []

    async def worker():
        conn = connection_to(base_url)
        try:
            while queue:
                method, path, headers, body = queue.pop()
                started = time.perf_counter()
                status, content = await conn.request(method, path, headers, body)
                results.append((status, time.perf_counter() - started, content))
        finally:
            await conn.close()

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return time.perf_counter() - started, results
