"""The DHL adapter against a local server speaking DHL Shipment Tracking - Unified."""

import json
from datetime import UTC, date, datetime

import pytest

from orders.tracking import TrackingStatus as T
from performile.webhooks import BadSignature, MalformedPayload
from shipments.couriers import courier_class
from shipments.couriers.base import (
    AccountSettings,
    CourierError,
    CourierRateLimited,
    CourierUnavailable,
    ShipmentNotFound,
)
from shipments.couriers.dhl import STATUS_MAP, DhlCourier, dhl_status
from tests.shipments.courier_http import (
    assert_times_out_quickly,
    booking_request,
    fixture,
    silent_server,
)

TRACK = "/track/shipments"
NUMBER = "00340434292135100124"


def make_courier(base_url: str, *, webhook_secret="s3cret", **extra):
    return DhlCourier(
        AccountSettings(
            base_url=base_url.rstrip("/"),
            api_key="dhl-key",
            webhook_secret=webhook_secret,
            extra=extra,
        )
    )


@pytest.fixture
def courier(httpserver):
    return make_courier(httpserver.url_for("/"))


def test_registry_resolves_dhl():
    assert courier_class("dhl") is DhlCourier


def test_quota_guidance_for_the_poller():
    """DHL asks for at most 10 fetches per shipment a day, at a low rate."""
    assert DhlCourier.max_polls_per_day == 10
    assert DhlCourier.rate_limit_per_s <= 1


def test_booking_is_not_offered():
    """Unified is tracking only: no services to pick, booking says where to go."""
    courier = make_courier("http://x")
    assert courier.services() == []
    with pytest.raises(CourierError, match="use a karrio DHL account"):
        courier.book(booking_request("express"))
    with pytest.raises(CourierError, match="use a karrio DHL account"):
        courier.cancel("123")


def test_tracking_url():
    assert NUMBER in make_courier("http://x").tracking_url(NUMBER)


def test_track_normalizes_events_refines_and_keeps_raw_codes(httpserver, courier):
    """Events come back oldest first; 'transit' loaded onto the delivery vehicle is
    out for delivery; DHL's statusCode stays beside ours; the ETA is read."""
    httpserver.expect_request(
        TRACK,
        method="GET",
        query_string={"trackingNumber": NUMBER, "language": "en"},
        headers={"DHL-API-Key": "dhl-key"},
    ).respond_with_json(fixture("dhl", "track_out_for_delivery.json"))

    update = courier.track(NUMBER)

    assert [(e.status, e.raw_code) for e in update.events] == [
        (T.INFO_RECEIVED, "pre-transit"),
        (T.IN_TRANSIT, "transit"),
        (T.IN_TRANSIT, "transit"),
        (T.OUT_FOR_DELIVERY, "transit"),
    ]
    # A timestamp without an offset is read in UTC unless the account says otherwise.
    assert update.events[0].occurred_at == datetime(2025, 11, 11, 9, 20, tzinfo=UTC)
    assert update.events[-1].occurred_at == datetime(2025, 11, 12, 6, 41, tzinfo=UTC)
    assert update.events[-1].location == "Berlin"
    assert update.events[-1].description == (
        "The shipment has been loaded onto the delivery vehicle"
    )
    assert update.estimated_delivery == date(2025, 11, 12)


def test_track_passes_the_accounts_service_filter(httpserver):
    courier = make_courier(httpserver.url_for("/"), service="parcel-de")
    httpserver.expect_request(TRACK).respond_with_json(
        fixture("dhl", "track_out_for_delivery.json")
    )
    courier.track(NUMBER)
    assert httpserver.log[0][0].args["service"] == "parcel-de"


def test_track_404_is_shipment_not_found(httpserver, courier):
    httpserver.expect_request(TRACK).respond_with_json(
        fixture("dhl", "not_found.json"), status=404
    )
    with pytest.raises(ShipmentNotFound) as info:
        courier.track("00340434292135199999")
    assert "No shipment with given tracking number found." in info.value.message


def test_track_unauthorized_is_a_credentials_error(httpserver, courier):
    httpserver.expect_request(TRACK).respond_with_json(
        fixture("dhl", "unauthorized.json"), status=401
    )
    with pytest.raises(CourierError) as info:
        courier.track(NUMBER)
    assert not info.value.retryable
    assert info.value.message == (
        "DHL did not accept the account's API credentials: "
        "Unauthorized for given resource."
    )


def test_track_bad_request_gives_dhls_detail(httpserver, courier):
    httpserver.expect_request(TRACK).respond_with_json(
        {"title": "Bad Request", "status": 400, "detail": "Invalid tracking number."},
        status=400,
    )
    with pytest.raises(CourierError, match="refused the request: Invalid tracking"):
        courier.track("x")


def test_429_with_retry_after_is_rate_limited(httpserver, courier):
    httpserver.expect_request(TRACK).respond_with_json(
        {"title": "Too many requests", "status": 429},
        status=429,
        headers={"Retry-After": "5"},
    )
    with pytest.raises(CourierRateLimited) as info:
        courier.track(NUMBER)
    assert info.value.retry_after == 5


def test_5xx_is_unavailable(httpserver, courier):
    httpserver.expect_request(TRACK).respond_with_data("", status=500)
    with pytest.raises(CourierUnavailable):
        courier.track(NUMBER)


def test_silent_server_times_out_quickly(monkeypatch):
    with silent_server() as url:
        assert_times_out_quickly(monkeypatch, lambda: make_courier(url).track(NUMBER))


def test_webhook_with_the_shared_secret_gives_an_update_per_shipment():
    courier = make_courier("http://x")
    body = json.dumps(fixture("dhl", "track_out_for_delivery.json")).encode()
    updates = courier.parse_webhook(body, {"x-dhl-secret": "s3cret"})
    assert [u.tracking_number for u in updates] == [NUMBER]
    assert updates[0].events[-1].status == T.OUT_FOR_DELIVERY
    assert updates[0].estimated_delivery == date(2025, 11, 12)


def test_webhook_without_the_right_secret_is_refused():
    body = json.dumps(fixture("dhl", "track_out_for_delivery.json")).encode()
    with pytest.raises(BadSignature):
        make_courier("http://x").parse_webhook(body, {"X-DHL-Secret": "nope"})


@pytest.mark.parametrize(
    "body", [b"nope", b'{"shipments": []}', b'{"shipments": [{"events": []}]}']
)
def test_webhook_malformed_body_is_refused(body):
    with pytest.raises(MalformedPayload):
        make_courier("http://x").parse_webhook(body, {"X-DHL-Secret": "s3cret"})


# DHL's documented statusCodes and what each means for us.
DOCUMENTED = {
    "pre-transit": T.INFO_RECEIVED,
    "transit": T.IN_TRANSIT,
    "delivered": T.DELIVERED,
    "failure": T.EXCEPTION,
    "unknown": T.PENDING,
}


@pytest.mark.parametrize(("code", "expected"), DOCUMENTED.items())
def test_status_mapping(code, expected):
    assert dhl_status(code, "") == expected


def test_every_documented_code_maps_to_a_tracking_status():
    assert {code.lower() for code in STATUS_MAP} == set(DOCUMENTED)
    assert all(isinstance(status, T) for status in STATUS_MAP.values())


@pytest.mark.parametrize(
    ("code", "text", "expected"),
    [
        ("transit", "The shipment is out for delivery", T.OUT_FOR_DELIVERY),
        ("transit", "With delivery courier", T.OUT_FOR_DELIVERY),
        ("transit", "The shipment is ready for pickup at the Packstation", T.AVAILABLE_FOR_PICKUP),
        ("failure", "Delivery attempt failed; recipient not at home", T.ATTEMPT_FAILED),
        ("failure", "The shipment could not be delivered", T.ATTEMPT_FAILED),
        ("failure", "Ready for collection at the retail outlet after a delivery attempt", T.AVAILABLE_FOR_PICKUP),
        ("failure", "The shipment was damaged", T.EXCEPTION),
        ("delivered", "Delivered; out for delivery earlier", T.DELIVERED),
        ("pre-transit", "Out for delivery", T.INFO_RECEIVED),
    ],
)  # fmt: skip
def test_event_words_refine_transit_and_failure(code, text, expected):
    """DHL's words refine only transit and failure events."""
    assert dhl_status(code, text) == expected


def test_answer_of_an_unexpected_shape_is_a_courier_error(httpserver, courier):
    """A 200 DHL would never send (events that are not objects) is an error, not a
    crash in the poller."""
    httpserver.expect_request(TRACK).respond_with_json(
        {"shipments": [{"id": NUMBER, "events": ["delivered"]}]}
    )
    with pytest.raises(CourierError, match="unexpected format"):
        courier.track(NUMBER)


def test_webhook_values_the_tables_cannot_hold_are_refused_or_shortened():
    sample = fixture("dhl", "track_out_for_delivery.json")
    courier = make_courier("http://x")

    def push(event_changes):
        payload = json.loads(json.dumps(sample))
        payload["shipments"][0]["events"][0].update(event_changes)
        body = json.dumps(payload).encode()
        return courier.parse_webhook(body, {"X-DHL-Secret": "s3cret"})

    with pytest.raises(MalformedPayload, match="description' must be a string"):
        push({"description": True})
    with pytest.raises(MalformedPayload, match="NUL"):
        push({"description": "a\x00b"})
    (update,) = push({"description": "x" * 900})
    assert {len(event.description) for event in update.events} >= {500}
    assert max(len(event.description) for event in update.events) == 500
