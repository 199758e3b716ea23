"""The Bring adapter against a local server speaking Bring's documented JSON
(Tracking API v2, Booking API)."""

import json
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from orders.tracking import TrackingStatus as T
from performile.webhooks import BadSignature, MalformedPayload
from shipments.couriers import courier_class
from shipments.couriers.base import (
    AccountSettings,
    CourierError,
    CourierRateLimited,
    CourierUnavailable,
    ServiceType,
    ShipmentNotFound,
)
from shipments.couriers.bring import STATUS_MAP, BringCourier
from tests.shipments.courier_http import (
    PDF,
    assert_times_out_quickly,
    booking_request,
    fixture,
    silent_server,
)

TRACK = "/tracking/api/v2/tracking.json"
BOOK = "/booking/api/booking"
CONSIGNMENT = "70438101015432113"
PACKAGE = "370438101015432113"
AUTH = {
    "X-Mybring-API-Uid": "ops@nordicgoods.example",
    "X-Mybring-API-Key": "bring-key",
    "X-Bring-Client-URL": "https://shop.nordicgoods.example/",
}


def make_courier(base_url: str, *, webhook_secret="s3cret", **extra):
    return BringCourier(
        AccountSettings(
            base_url=base_url.rstrip("/"),
            api_key="bring-key",
            api_secret="ops@nordicgoods.example",
            customer_number="PARCELS_NORWAY-10001234",
            webhook_secret=webhook_secret,
            extra={"client_url": "https://shop.nordicgoods.example/", **extra},
        )
    )


@pytest.fixture
def courier(httpserver):
    return make_courier(httpserver.url_for("/"))


def booking_ok(httpserver) -> dict:
    body = json.dumps(fixture("bring", "booking_ok.json"))
    return json.loads(body.replace("{server}", httpserver.url_for("").rstrip("/")))


def test_registry_resolves_bring():
    assert courier_class("bring") is BringCourier


def test_services_offer_home_pickup_and_locker():
    options = make_courier("http://x").services()
    assert [(o.code, o.service_type, o.currency) for o in options] == [
        ("home_delivery", ServiceType.HOME, "NOK"),
        ("pickup_parcel", ServiceType.PARCEL_SHOP, "NOK"),
        ("locker", ServiceType.LOCKER, "NOK"),
    ]
    assert options[0].name == "Home delivery / Hjemlevering"


def test_tracking_url():
    assert make_courier("http://x").tracking_url(CONSIGNMENT) == (
        f"https://tracking.bring.com/tracking/{CONSIGNMENT}"
    )


def test_book_posts_a_consignment_and_fetches_the_label(httpserver, courier):
    """Booking posts one consignment with Mybring's headers, the product and
    customer number, and returns the consignment number, the label PDF behind
    links.labels (fetched without our API key) and the expected delivery."""
    httpserver.expect_request(BOOK, method="POST", headers=AUTH).respond_with_json(
        booking_ok(httpserver)
    )
    httpserver.expect_request("/labels/5678.pdf", method="GET").respond_with_data(
        PDF, content_type="application/pdf"
    )

    booking = courier.book(booking_request("pickup_parcel"))

    request = httpserver.log[0][0]
    body = request.get_json()
    assert body["schemaVersion"] == 1
    assert body["testIndicator"] is False
    consignment = body["consignments"][0]
    assert consignment["correlationId"] == "order-1001"
    assert consignment["product"] == {
        "id": "5800",
        "customerNumber": "PARCELS_NORWAY-10001234",
    }
    recipient = consignment["parties"]["recipient"]
    assert recipient == {
        "name": "Anna Svensson",
        "addressLine": "Haga Nygata 3",
        "addressLine2": "lgh 1102",
        "postalCode": "41118",
        "city": "Göteborg",
        "countryCode": "SE",
        "contact": {
            "name": "Anna Svensson",
            "email": "anna@example.com",
            "phoneNumber": "+46709876543",
        },
    }
    assert consignment["parties"]["sender"]["reference"] == "#1001"
    assert consignment["packages"] == [
        {
            "correlationId": "order-1001-1",
            "weightInKg": 1.2,
            "dimensions": {"lengthInCm": 30.0, "widthInCm": 20.0, "heightInCm": 10.0},
        }
    ]
    label_request = httpserver.log[1][0]
    assert label_request.args["auth-token"] == "3b1f0a9c"
    assert "X-Mybring-API-Key" not in label_request.headers

    assert booking.tracking_number == CONSIGNMENT
    assert booking.courier_reference == CONSIGNMENT
    assert booking.label_pdf == PDF
    # Midnight in Oslo, which is still the 11th in UTC.
    assert booking.estimated_delivery == date(2025, 11, 12)
    assert (booking.price, booking.currency) == (Decimal("99.00"), "NOK")


def test_book_test_mode_sets_the_test_indicator(httpserver):
    courier = make_courier(httpserver.url_for("/"), test_mode=True)
    httpserver.expect_request(BOOK, method="POST").respond_with_json(
        booking_ok(httpserver)
    )
    httpserver.expect_request("/labels/5678.pdf").respond_with_data(PDF)
    courier.book(booking_request("home_delivery"))
    body = httpserver.log[0][0].get_json()
    assert body["testIndicator"] is True
    assert body["consignments"][0]["product"]["id"] == "5600"


def test_book_refused_gives_brings_english_message(httpserver, courier):
    httpserver.expect_request(BOOK, method="POST").respond_with_json(
        fixture("bring", "booking_invalid.json"), status=400
    )
    with pytest.raises(CourierError) as info:
        courier.book(booking_request("home_delivery"))
    assert not info.value.retryable
    assert info.value.message == (
        "Bring refused the request: Invalid postal code for the recipient"
    )


def test_book_errors_in_a_200_are_a_refusal(httpserver, courier):
    httpserver.expect_request(BOOK, method="POST").respond_with_json(
        fixture("bring", "booking_invalid.json")
    )
    with pytest.raises(CourierError, match="Invalid postal code for the recipient"):
        courier.book(booking_request("home_delivery"))


def test_book_label_that_cannot_be_fetched_is_retryable(httpserver, courier):
    httpserver.expect_request(BOOK, method="POST").respond_with_json(
        booking_ok(httpserver)
    )
    httpserver.expect_request("/labels/5678.pdf").respond_with_data("gone", status=410)
    with pytest.raises(CourierUnavailable, match=CONSIGNMENT):
        courier.book(booking_request("home_delivery"))


def test_cancel_is_not_offered_by_bring():
    with pytest.raises(CourierError, match="cannot be cancelled"):
        make_courier("http://x").cancel(CONSIGNMENT)


def test_track_normalizes_events_and_keeps_raw_codes(httpserver, courier):
    """Bring lists events newest first; we return them oldest first in our
    statuses with Bring's status code, the city and country, and the ETA."""
    httpserver.expect_request(
        TRACK, method="GET", query_string={"q": PACKAGE}, headers=AUTH
    ).respond_with_json(fixture("bring", "tracking_ready_for_pickup.json"))

    update = courier.track(PACKAGE)

    assert [(e.status, e.raw_code) for e in update.events] == [
        (T.INFO_RECEIVED, "PRE_NOTIFIED"),
        (T.IN_TRANSIT, "HANDED_IN"),
        (T.IN_TRANSIT, "IN_TRANSIT"),
        (T.AVAILABLE_FOR_PICKUP, "READY_FOR_PICKUP"),
        (T.AVAILABLE_FOR_PICKUP, "NOTIFICATION_SENT"),
    ]
    assert update.events[0].occurred_at == datetime(2025, 11, 10, 8, 12, 44, tzinfo=UTC)
    assert update.events[0].location == "NO"
    assert update.events[1].location == "BERGEN, NO"
    assert update.events[3].description.startswith("The parcel is ready for pickup")
    assert update.estimated_delivery == date(2025, 11, 12)


def test_track_unknown_number_is_shipment_not_found(httpserver, courier):
    """Bring answers an unknown number with an error inside consignmentSet."""
    httpserver.expect_request(TRACK).respond_with_json(
        fixture("bring", "tracking_not_found.json")
    )
    with pytest.raises(ShipmentNotFound, match="No shipment found"):
        courier.track("123")


def test_track_404_is_shipment_not_found(httpserver, courier):
    httpserver.expect_request(TRACK).respond_with_json(
        fixture("bring", "tracking_not_found.json"), status=404
    )
    with pytest.raises(ShipmentNotFound, match="No shipment found"):
        courier.track("123")


def test_track_bad_credentials_is_an_error(httpserver, courier):
    httpserver.expect_request(TRACK).respond_with_json(
        {"message": "Invalid API key"}, status=403
    )
    with pytest.raises(CourierError, match="credentials: Invalid API key"):
        courier.track(PACKAGE)


def test_429_with_retry_after_is_rate_limited(httpserver, courier):
    httpserver.expect_request(TRACK).respond_with_data(
        "", status=429, headers={"Retry-After": "12"}
    )
    with pytest.raises(CourierRateLimited) as info:
        courier.track(PACKAGE)
    assert info.value.retry_after == 12


def test_5xx_is_unavailable(httpserver, courier):
    httpserver.expect_request(TRACK).respond_with_data("down", status=503)
    with pytest.raises(CourierUnavailable):
        courier.track(PACKAGE)


def test_silent_server_times_out_quickly(monkeypatch):
    with silent_server() as url:
        assert_times_out_quickly(
            monkeypatch, lambda: make_courier(url).book(booking_request("locker"))
        )


def _push(courier, payload, headers):
    return courier.parse_webhook(json.dumps(payload).encode(), headers)


def test_webhook_in_tracking_format_gives_consignment_and_package_updates():
    updates = _push(
        make_courier("http://x"),
        fixture("bring", "tracking_ready_for_pickup.json"),
        {"x-bring-secret": "s3cret"},
    )
    assert [u.tracking_number for u in updates] == [CONSIGNMENT, PACKAGE]
    assert updates[1].events[-1].raw_code == "NOTIFICATION_SENT"


def test_webhook_event_cast_single_event():
    """An Event Cast push with one event for a tracking id."""
    updates = _push(
        make_courier("http://x"),
        {
            "trackingId": PACKAGE,
            "event": {
                "status": "DELIVERED",
                "description": "The parcel has been delivered.",
                "dateIso": "2025-11-12T15:02:00+01:00",
                "city": "OSLO",
                "countryCode": "NO",
            },
        },
        {"X-Bring-Secret": "s3cret"},
    )
    assert len(updates) == 1
    assert updates[0].tracking_number == PACKAGE
    assert updates[0].events[0].status == T.DELIVERED


@pytest.mark.parametrize(
    ("secret", "headers"),
    [("s3cret", {}), ("s3cret", {"X-Bring-Secret": "nope"}), ("", {})],
    ids=["missing header", "wrong secret", "account without secret"],
)
def test_webhook_without_the_right_secret_is_refused(secret, headers):
    with pytest.raises(BadSignature):
        _push(
            make_courier("http://x", webhook_secret=secret),
            fixture("bring", "tracking_ready_for_pickup.json"),
            headers,
        )


@pytest.mark.parametrize("body", [b"{", b'{"hello": "world"}'])
def test_webhook_malformed_body_is_refused(body):
    with pytest.raises(MalformedPayload):
        make_courier("http://x").parse_webhook(body, {"X-Bring-Secret": "s3cret"})


# Bring's documented event statuses and what each means for us.
DOCUMENTED = {
    "PRE_NOTIFIED": T.INFO_RECEIVED,
    "HANDED_IN": T.IN_TRANSIT,
    "COLLECTED": T.IN_TRANSIT,
    "IN_TRANSIT": T.IN_TRANSIT,
    "TERMINAL": T.IN_TRANSIT,
    "INTERNATIONAL": T.IN_TRANSIT,
    "CUSTOMS": T.IN_TRANSIT,
    "TRANSPORT_TO_RECIPIENT": T.OUT_FOR_DELIVERY,
    "ATTEMPTED_DELIVERY": T.ATTEMPT_FAILED,
    "NOTIFICATION_SENT": T.AVAILABLE_FOR_PICKUP,
    "READY_FOR_PICKUP": T.AVAILABLE_FOR_PICKUP,
    "DELIVERED": T.DELIVERED,
    "DEVIATION": T.EXCEPTION,
    "RETURN": T.RETURNED,
    "RETURNED": T.RETURNED,
    "DELIVERED_SENDER": T.RETURNED,
    "UNKNOWN": T.PENDING,
}


@pytest.mark.parametrize(("code", "expected"), DOCUMENTED.items())
def test_status_mapping(code, expected):
    assert STATUS_MAP[code] == expected


def test_every_documented_code_maps_to_a_tracking_status():
    assert set(STATUS_MAP) == set(DOCUMENTED)
    assert all(isinstance(status, T) for status in STATUS_MAP.values())


def test_answer_of_an_unexpected_shape_is_a_courier_error(httpserver, courier):
    httpserver.expect_request(TRACK).respond_with_json(
        {"consignmentSet": [{"consignmentId": CONSIGNMENT, "packageSet": "none"}]}
    )
    with pytest.raises(CourierError, match="unexpected format"):
        courier.track(CONSIGNMENT)
