"""The optional karrio bridge (shipments/couriers/karrio_bridge.py).

Tests that need karrio skip, with the reason, when it is not installed
(`pip install -r requirements-karrio.txt`); the not-installed message is tested
either way. The carrier used is UPS (karrio.ups), against a local HTTP server that
speaks UPS's JSON APIs (OAuth token, Track v1, Shipping v2409).
"""

from __future__ import annotations

import asyncio
import base64
import io
import socket
import sys
import threading
import time
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from orders.tracking import TrackingStatus as T
from shipments.couriers import courier_class
from shipments.couriers.base import (
    AccountSettings,
    Address,
    BookingRequest,
    CourierError,
    CourierUnavailable,
    Parcel,
    ShipmentNotFound,
)
from shipments.couriers.karrio_bridge import (
    NOT_INSTALLED,
    STATUS_MAP,
    KarrioCourier,
    karrio_status,
)

KARRIO_REASON = "karrio is not installed (pip install -r requirements-karrio.txt)"
TRACKING_NUMBER = "1Z999AA10123456784"


@pytest.fixture
def karrio_sdk():
    return pytest.importorskip("karrio.sdk", reason=KARRIO_REASON)


@pytest.fixture
def ups_plugin(karrio_sdk):
    pytest.importorskip("karrio.mappers.ups", reason="karrio.ups is not installed")


def ups_account(base_url: str, **extra) -> AccountSettings:
    return AccountSettings(
        base_url=base_url,
        api_key="client-id",
        api_secret="client-secret",
        customer_number="A1B2C3",
        extra={"carrier": "ups", **extra},
    )


def serve_token(httpserver):
    httpserver.expect_request(
        "/security/v1/oauth/token", method="POST"
    ).respond_with_json(
        {
            "access_token": "token-123",
            "token_type": "Bearer",
            "issued_at": str(int(time.time() * 1000)),
            "expires_in": "14399",
            "status": "approved",
        }
    )


def activity(type_, code, description, day, hhmmss, city="Oslo"):
    return {
        "location": {"address": {"city": city, "country": "NO", "countryCode": "NO"}},
        "status": {"type": type_, "code": code, "description": description},
        "date": day,
        "time": hhmmss,
    }


def track_response(*activities):
    return {
        "trackResponse": {
            "shipment": [
                {
                    "inquiryNumber": TRACKING_NUMBER,
                    "package": [
                        {
                            "trackingNumber": TRACKING_NUMBER,
                            "deliveryDate": [{"type": "DEL", "date": "20260116"}],
                            "activity": list(activities),
                        }
                    ],
                }
            ]
        }
    }


# --- without karrio ---------------------------------------------------------------


def test_not_installed_message(monkeypatch):
    """Runs with or without karrio: a missing karrio is a clear CourierError."""
    monkeypatch.setattr(KarrioCourier, "_karrio", None)
    monkeypatch.setitem(sys.modules, "karrio", None)  # `import karrio...` fails
    monkeypatch.setitem(sys.modules, "karrio.sdk", None)
    courier = courier_class("karrio:ups")(ups_account("http://127.0.0.1:9"))
    with pytest.raises(CourierError) as caught:
        courier.track(TRACKING_NUMBER)
    assert caught.value.message == NOT_INSTALLED
    assert "pip install -r requirements-karrio.txt" in str(caught.value)


def test_account_without_carrier_is_refused():
    with pytest.raises(CourierError, match="names no carrier"):
        KarrioCourier(AccountSettings(base_url=""))


def test_carrier_from_code_wins_over_extra():
    courier = KarrioCourier(ups_account(""), carrier="fedex")
    assert courier.code == "karrio:fedex"


@pytest.mark.parametrize(
    ("karrio_code", "ours"),
    [
        ("pending", T.INFO_RECEIVED),
        ("picked_up", T.IN_TRANSIT),
        ("in_transit", T.IN_TRANSIT),
        ("on_hold", T.EXCEPTION),
        ("delivery_delayed", T.EXCEPTION),
        ("out_for_delivery", T.OUT_FOR_DELIVERY),
        ("ready_for_pickup", T.AVAILABLE_FOR_PICKUP),
        ("delivery_failed", T.ATTEMPT_FAILED),
        ("delivered", T.DELIVERED),
        ("return_to_sender", T.RETURNED),
        ("cancelled", T.EXCEPTION),
        ("unknown", T.IN_TRANSIT),
        ("something_new", T.IN_TRANSIT),  # unmapped: logged, read as in transit
    ],
)
def test_status_table(karrio_code, ours):
    assert karrio_status(karrio_code) == ours


def test_status_table_covers_every_karrio_status(karrio_sdk):
    from karrio.core.units import TrackingStatus as KarrioStatus

    assert {status.name.upper() for status in KarrioStatus} <= set(STATUS_MAP)


# --- with karrio and karrio.ups, against a local UPS ----------------------------------


def test_track(ups_plugin, httpserver):
    serve_token(httpserver)
    httpserver.expect_request(
        f"/api/track/v1/details/{TRACKING_NUMBER}"
    ).respond_with_json(
        track_response(
            activity("D", "KB", "Delivered", "20260115", "141000"),
            activity("I", "DP", "Departed from Facility", "20260114", "221500", "Oslo"),
            activity("M", "MP", "Shipper created a label", "20260113", "120000", ""),
        )
    )
    courier = courier_class("karrio:ups")(ups_account(httpserver.url_for("")))

    update = courier.track(TRACKING_NUMBER)

    assert update.tracking_number == TRACKING_NUMBER
    assert update.estimated_delivery == date(2026, 1, 16)
    assert [(e.status, e.raw_code) for e in update.events] == [
        (T.INFO_RECEIVED, "MP"),
        (T.IN_TRANSIT, "DP"),
        (T.DELIVERED, "KB"),
    ]
    assert update.events[1].occurred_at == datetime(2026, 1, 14, 22, 15, tzinfo=UTC)
    assert update.events[1].description == "Departed from Facility"
    assert "Oslo" in update.events[1].location
    track_call = httpserver.log[-1][0]
    assert track_call.headers["authorization"] == "Bearer token-123"


def test_track_inside_an_event_loop(ups_plugin, httpserver):
    """karrio calls asyncio.run(); our worker thread has no loop, so async callers
    (which must not block long, but may) work."""
    serve_token(httpserver)
    httpserver.expect_request(
        f"/api/track/v1/details/{TRACKING_NUMBER}"
    ).respond_with_json(
        track_response(activity("D", "KB", "Delivered", "20260115", "141000"))
    )
    courier = KarrioCourier(ups_account(httpserver.url_for("")))

    async def in_loop():
        return courier.track(TRACKING_NUMBER)

    update = asyncio.run(in_loop())
    assert [e.status for e in update.events] == [T.DELIVERED]


def test_track_errors_carry_the_carriers_text(ups_plugin, httpserver):
    serve_token(httpserver)
    httpserver.expect_request(
        f"/api/track/v1/details/{TRACKING_NUMBER}"
    ).respond_with_json(
        {
            "response": {
                "errors": [
                    {"code": "TW0001", "message": "Tracking Information Not Found"}
                ]
            }
        },
        status=404,
    )
    courier = KarrioCourier(ups_account(httpserver.url_for("")))
    with pytest.raises(CourierError) as caught:
        courier.track(TRACKING_NUMBER)
    assert "Tracking Information Not Found" in caught.value.message
    assert not isinstance(caught.value, CourierUnavailable)


def test_track_unknown_number_without_messages(ups_plugin, httpserver):
    serve_token(httpserver)
    httpserver.expect_request(
        f"/api/track/v1/details/{TRACKING_NUMBER}"
    ).respond_with_json(
        {"trackResponse": {"shipment": [{"inquiryNumber": TRACKING_NUMBER}]}}
    )
    courier = KarrioCourier(ups_account(httpserver.url_for("")))
    with pytest.raises(ShipmentNotFound):
        courier.track(TRACKING_NUMBER)


@pytest.fixture
def silent_server():
    """A TCP server that accepts connections and never answers."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    held = []
    stop = threading.Event()

    def accept():
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.getsockname()[1]}"
    stop.set()
    thread.join(2)
    for conn in held:
        conn.close()
    server.close()


def test_timeout_guard(ups_plugin, silent_server):
    courier = KarrioCourier(ups_account(silent_server))
    courier.deadline_s = 1.0
    started = time.monotonic()
    with pytest.raises(CourierUnavailable, match="did not answer in time"):
        courier.track(TRACKING_NUMBER)
    assert time.monotonic() - started < 2.0


def test_default_deadline_is_read_timeout_plus_margin():
    from shipments.couriers.base import DEFAULT_TIMEOUT
    from shipments.couriers.karrio_bridge import CALL_MARGIN_S

    courier = KarrioCourier(ups_account(""))
    assert courier.deadline_s == DEFAULT_TIMEOUT[1] + CALL_MARGIN_S


def test_unreachable_is_retryable(ups_plugin):
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    courier = KarrioCourier(ups_account(f"http://127.0.0.1:{port}"))
    with pytest.raises(CourierUnavailable):
        courier.track(TRACKING_NUMBER)


def gif_base64() -> str:
    from PIL import Image  # installed with karrio

    buffer = io.BytesIO()
    Image.new("RGB", (120, 80), "white").save(buffer, format="GIF")
    return base64.b64encode(buffer.getvalue()).decode()


BOOKING = BookingRequest(
    reference="ORD-1001",
    service_code="ups_standard",
    sender=Address(
        name="Shop AB",
        line1="Storgatan 1",
        postal_code="11122",
        city="Stockholm",
        country="SE",
        phone="+46700000000",
    ),
    recipient=Address(
        name="Kari Nordmann",
        line1="Karl Johans gate 1",
        postal_code="0154",
        city="Oslo",
        country="NO",
        phone="+4790000000",
        email="kari@example.com",
    ),
    parcels=(Parcel(Decimal("1.5"), Decimal("30"), Decimal("20"), Decimal("10")),),
)


def test_book(ups_plugin, httpserver):
    serve_token(httpserver)
    httpserver.expect_request(
        "/api/shipments/v2409/ship", method="POST"
    ).respond_with_json(
        {
            "ShipmentResponse": {
                "Response": {"ResponseStatus": {"Code": "1", "Description": "Success"}},
                "ShipmentResults": {
                    "ShipmentIdentificationNumber": TRACKING_NUMBER,
                    "PackageResults": [
                        {
                            "TrackingNumber": TRACKING_NUMBER,
                            "ShippingLabel": {
                                "ImageFormat": {"Code": "GIF"},
                                "GraphicImage": gif_base64(),
                            },
                        }
                    ],
                },
            }
        }
    )
    courier = KarrioCourier(ups_account(httpserver.url_for("")))

    booking = courier.book(BOOKING)

    assert booking.tracking_number == TRACKING_NUMBER
    assert booking.courier_reference == TRACKING_NUMBER
    assert booking.label_pdf.startswith(b"%PDF")
    ship_call = httpserver.log[-1][0]
    body = ship_call.get_json()
    assert body["ShipmentRequest"]["Shipment"]["Shipper"]["ShipperNumber"] == "A1B2C3"


def test_book_refused_carries_the_carriers_text(ups_plugin, httpserver):
    serve_token(httpserver)
    httpserver.expect_request(
        "/api/shipments/v2409/ship", method="POST"
    ).respond_with_json(
        {
            "response": {
                "errors": [
                    {"code": "120802", "message": "Address Validation Error on ShipTo"}
                ]
            }
        },
        status=400,
    )
    courier = KarrioCourier(ups_account(httpserver.url_for("")))
    with pytest.raises(CourierError, match="Address Validation Error on ShipTo"):
        courier.book(BOOKING)


def test_services_from_extra(ups_plugin):
    courier = KarrioCourier(
        ups_account(
            "",
            services=[
                {
                    "code": "ups_standard",
                    "name": "UPS Standard",
                    "price": "99",
                    "currency": "SEK",
                    "transit_days": 2,
                }
            ],
            prices={"ups_standard": "89.50"},
        )
    )
    [option] = courier.services()
    assert (option.code, option.price, option.currency) == (
        "ups_standard",
        Decimal("89.50"),
        "SEK",
    )


def test_tracking_url_is_the_carriers(ups_plugin):
    courier = KarrioCourier(ups_account(""))
    assert TRACKING_NUMBER in courier.tracking_url(TRACKING_NUMBER)
    assert "ups.com" in courier.tracking_url(TRACKING_NUMBER)


def test_unknown_carrier(karrio_sdk):
    courier = KarrioCourier(ups_account(""), carrier="no_such_carrier")
    with pytest.raises(CourierError, match="karrio has no carrier 'no_such_carrier'"):
        courier.track(TRACKING_NUMBER)


def test_cancel(ups_plugin, httpserver):
    serve_token(httpserver)
    httpserver.expect_request(
        f"/api/shipments/v2409/void/cancel/{TRACKING_NUMBER}", method="DELETE"
    ).respond_with_json(
        {
            "VoidShipmentResponse": {
                "Response": {"ResponseStatus": {"Code": "1", "Description": "Success"}},
                "SummaryResult": {"Status": {"Code": "1", "Description": "Voided"}},
            }
        }
    )
    courier = KarrioCourier(ups_account(httpserver.url_for("")))
    courier.cancel(TRACKING_NUMBER)  # no error
    assert httpserver.log[-1][0].method == "DELETE"


def test_the_account_code_names_the_carrier():
    """A `karrio:<carrier>` courier account reaches that carrier, karrio or not."""
    from shipments.couriers import courier_for
    from shipments.couriers.base import AccountSettings

    courier = courier_for("karrio:fedex", AccountSettings(base_url=""))
    assert courier.carrier == "fedex"
