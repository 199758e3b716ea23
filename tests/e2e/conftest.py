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
    """Pages in fresh browser contexts (no shared cookies), closed afterwards. A
    script or style the Content-Security-Policy refused fails the test."""
    contexts, refused = [], []

    def make(**context_options):
        context = browser.new_context(**context_options)
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        page.on("console", lambda message: _note_refusal(message, refused))
        return page

    yield make
    for context in contexts:
        context.close()
    assert not refused, refused


def _note_refusal(message, refused: list) -> None:
    if message.type == "error" and "Content Security Policy" in message.text:
        refused.append(message.text)


@pytest.fixture
def one_socket():
    """A websocket "proxy" for page.route_web_socket: the page's first socket goes
    through, every reconnect is refused. `one_socket.sockets` holds the one that
    went through (close it to cut the page off)."""
    sockets = []

    def route(ws):
        if sockets:
            ws.close()
            return
        sockets.append(ws)
        ws.connect_to_server()

    route.sockets = sockets
    return route


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
