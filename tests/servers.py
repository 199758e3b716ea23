"""The platform's web server as a process of its own, on the test database."""

import os
import signal
import socket
import subprocess
import sys
import time
from urllib.parse import urlsplit

import httpx
import pytest
from django.db import connection


class WebServer:
    """`uvicorn performile.asgi:application` on the test database (the test must
    use `transactional_db`, so the server sees its data). `env` overrides the
    environment (e.g. a DATABASE_URL through a proxy); the server is up once
    `ready_path` answers anything."""

    def __init__(self, *, workers: int = 1, env: dict | None = None, ready_path="/"):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.workers = workers
        self.ready_path = ready_path
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "performile.settings.test",
            "DATABASE_URL": database_url_for_tests(),
            **(env or {}),
        }

    def __enter__(self) -> str:
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "performile.asgi:application",
                *("--host", "127.0.0.1", "--port", str(self.port)),
                *("--workers", str(self.workers), "--lifespan", "off"),
                *("--log-level", "warning"),
            ],
            env=self.env,
            start_new_session=True,
        )
        url = f"http://127.0.0.1:{self.port}"
        for _ in range(300):  # up to 30 s for the workers to start Django
            try:
                httpx.get(f"{url}{self.ready_path}", timeout=2)
                return url
            except httpx.TransportError:
                pass
            if self.process.poll() is not None:
                break
            time.sleep(0.1)
        self.__exit__()
        pytest.fail("uvicorn did not start")

    def __exit__(self, *exc):
        os.killpg(self.process.pid, signal.SIGTERM)
        self.process.wait(timeout=15)


def database_url_for_tests(*, host: str = "", port: int | None = None) -> str:
    """DATABASE_URL for the test database, at another address if given."""
    url = urlsplit(os.environ["DATABASE_URL"])
    url = url._replace(path=f"/{connection.settings_dict['NAME']}")
    if host:
        user = f"{url.username}@" if url.username else ""
        url = url._replace(netloc=f"{user}{host}:{port}")
    return url.geturl()
