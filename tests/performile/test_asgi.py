"""The ASGI application the server runs (HTTP through Django's WSGI handler)."""

import asyncio

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

    response = asyncio.run(get())
    assert response.status_code == 200
    assert response.json()["database"] == "ok"
