"""Swagger UI at /api/docs/ with every request outside this machine refused: it is
served from our own static files (drf-spectacular-sidecar), runs under our
Content-Security-Policy (new_page fails on a refusal) and lists the operations."""

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

LOCAL_HOSTS = {"127.0.0.1", "localhost"}


def test_swagger_ui_renders_with_the_outside_network_blocked(
    new_page, live_server, artifacts
):
    page = new_page(viewport={"width": 1440, "height": 900})
    outside = []

    def local_only(route):
        url = route.request.url
        if urlsplit(url).hostname in LOCAL_HOSTS:
            route.continue_()
        else:
            outside.append(url)
            route.abort()

    page.route("**/*", local_only)
    page.goto(f"{live_server.url}/api/docs/")

    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Performile API")
    for path in ("/api/orders/", "/api/orders/changes"):
        operation = page.locator(f'.opblock-summary-path[data-path="{path}"]')
        expect(operation.first).to_be_visible()
    assert page.locator(".opblock").count() > 20
    page.screenshot(path=artifacts / "api-docs-offline.png")
    assert outside == []
