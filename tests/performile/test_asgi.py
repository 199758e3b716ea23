"""The ASGI application the server runs (HTTP through Django's WSGI handler)."""

import asyncio
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from performile.asgi import application


@pytest.mark.django_db(transaction=True)
def test_http_is_served_through_the_asgi_application():
    async def get():
        transport = httpx.ASGITransport(app=application)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://localhost"
        ) as client:
            return await client.get("/healthz")

    # Its own thread: the browser tests' Playwright keeps a loop in the main one.
    with ThreadPoolExecutor(max_workers=1) as pool:
        response = pool.submit(asyncio.run, get()).result()
    assert response.status_code == 200
    assert response.json()["database"] == "ok"
