"""Browser tests: Python Playwright driving the system's Chromium against
pytest-django's live server. Skipped, with the reason, when Chromium is missing."""

import os
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in the test's thread; the ORM calls the
# tests make around it are still plain synchronous code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


# Module scope, not session: Playwright's sync API keeps an event loop running in
# the test thread while it is open, and asyncio tests (tests/orders/
# test_live_channel.py) that run later in the same worker need the thread free.
@pytest.fixture(scope="module")
def browser():
    if not os.access(CHROMIUM, os.X_OK):
        pytest.skip(
            f"Chromium not found at {CHROMIUM}: apt-get install chromium, "
            "or set CHROMIUM_PATH"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser):
    """Pages in fresh browser contexts (no shared cookies), closed afterwards."""
    contexts = []

    def make(**context_options):
        context = browser.new_context(**context_options)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


# The real sandbox courier, for booking in the browser.
from tests.shipments.conftest import (  # noqa: E402, F401
    sandbox_api_key,
    sandbox_courier,
    sandbox_process,
)


@pytest.fixture
def asgi_server(transactional_db):
    """The production ASGI application (HTTP and websockets) under uvicorn, in a
    thread, on the test database. pytest-django's live_server speaks WSGI only."""
    import socket
    import threading

    import uvicorn

    from performile.asgi import application

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(
            application, host="127.0.0.1", port=port, lifespan="off", log_level="error"
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    ready = threading.Event()
    for _ in range(200):  # up to 10 s for the socket to listen
        if server.started or not thread.is_alive():
            break
        ready.wait(0.05)
    if not server.started:
        pytest.fail("uvicorn did not start")
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)
