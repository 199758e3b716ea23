"""Helpers for the courier adapter tests: fixtures in each courier's documented
format, a booking request, and a server that never answers."""

import json
import socket
import time
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path

import pytest

from shipments.couriers import base
from shipments.couriers.base import Address, BookingRequest, CourierUnavailable, Parcel

FIXTURES = Path(__file__).parent / "fixtures"
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def fixture(courier: str, name: str) -> dict:
    return json.loads((FIXTURES / courier / name).read_text())


def booking_request(service_code: str, *, parcels: int = 1) -> BookingRequest:
    return BookingRequest(
        reference="#1001",
        service_code=service_code,
        sender=Address(
            name="Lisa Lager",
            company="Nordic Goods AB",
            line1="Sveavägen 1",
            postal_code="11157",
            city="Stockholm",
            country="SE",
            phone="+46701234567",
            email="lager@nordicgoods.example",
        ),
        recipient=Address(
            name="Anna Svensson",
            line1="Haga Nygata 3",
            line2="lgh 1102",
            postal_code="41118",
            city="Göteborg",
            country="SE",
            phone="+46709876543",
            email="anna@example.com",
        ),
        parcels=tuple(
            Parcel(
                weight_kg=Decimal("1.2"),
                length_cm=Decimal("30"),
                width_cm=Decimal("20"),
                height_cm=Decimal("10"),
            )
            for _ in range(parcels)
        ),
        idempotency_key="order-1001",
    )


@contextmanager
def silent_server():
    """A local port that takes connections and never says a word."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        listener.close()


def assert_times_out_quickly(monkeypatch, call) -> CourierUnavailable:
    """`call` against a silent server gives up after our (shortened) read timeout."""
    monkeypatch.setattr(base, "DEFAULT_TIMEOUT", (0.5, 0.5))
    started = time.monotonic()
    with pytest.raises(CourierUnavailable) as info:
        call()
    assert time.monotonic() - started < 3
    return info.value
