"""The PostNord adapter against a local server speaking PostNord's documented JSON
(Track & Trace v5 findByIdentifier, Booking API v3 EDI labels)."""

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
from shipments.couriers.postnord import STATUS_MAP, PostNordCourier
from tests.shipments.courier_http import (
    PDF,
    assert_times_out_quickly,
    booking_request,
    fixture,
    silent_server,
)

TRACK = "/rest/shipment/v5/trackandtrace/findByIdentifier.json"
BOOK = "/rest/shipment/v3/edi/labels/pdf"
ITEM_ID = "00370712345678901234"


def make_courier(base_url: str, *, webhook_secret="s3cret", **extra):
    return PostNordCourier(
        AccountSettings(
            base_url=base_url.rstrip("/"),
            api_key="pn-key",
            customer_number="1234567",
            webhook_secret=webhook_secret,
            extra=extra,
        )
    )


@pytest.fixture
def courier(httpserver):
    return make_courier(httpserver.url_for("/"))


def test_registry_resolves_postnord():
    """The 'postnord' adapter code names this adapter."""
    assert courier_class("postnord") is PostNordCourier


def test_services_offer_home_collect_and_locker():
    """PostNord offers MyPack Home, MyPack Collect and parcel lockers, priced in SEK
    unless the account holds the merchant's own prices."""
    options = make_courier("http://x", prices={"mypack_home": "79.50"}).services()
    assert [(o.code, o.name, o.service_type) for o in options] == [
        ("mypack_home", "MyPack Home", ServiceType.HOME),
        ("mypack_collect", "MyPack Collect", ServiceType.PARCEL_SHOP),
        ("parcel_locker", "Parcel locker", ServiceType.LOCKER),
    ]
    assert options[0].price == Decimal("79.50")
    assert {o.currency for o in options} == {"SEK"}


def test_tracking_url():
    assert make_courier("http://x").tracking_url(ITEM_ID) == (
        f"https://tracking.postnord.com/se/?id={ITEM_ID}"
    )


def test_book_posts_an_edi_instruction_and_returns_number_and_label(
    httpserver, courier
):
    """Booking sends PostNord's EDI instruction (consignor with our customer number,
    consignee, one goods item per parcel) and returns the item id as the tracking
    number, the shipment id for cancelling and the PDF label."""
    httpserver.expect_request(BOOK, method="POST").respond_with_json(
        fixture("postnord", "booking_ok.json")
    )

    booking = courier.book(booking_request("mypack_collect"))

    request = httpserver.log[0][0]
    assert request.args["apikey"] == "pn-key"
    assert request.args["multiPDF"] == "false"
    body = request.get_json()
    assert body["updateIndicator"] == "Original"
    shipment = body["shipment"][0]
    assert shipment["service"] == {"basicServiceCode": "19"}
    assert shipment["references"] == [{"referenceNo": "#1001", "referenceType": "CU"}]
    consignor = shipment["parties"]["consignor"]
    assert consignor["issuerCode"] == "Z12"
    assert consignor["partyIdentification"] == {
        "partyId": "1234567",
        "partyIdType": "160",
    }
    assert consignor["party"]["nameIdentification"]["companyName"] == "Nordic Goods AB"
    consignee = shipment["parties"]["consignee"]["party"]
    assert consignee["nameIdentification"] == {"name": "Anna Svensson"}
    assert consignee["address"] == {
        "streets": ["Haga Nygata 3", "lgh 1102"],
        "postalCode": "41118",
        "city": "Göteborg",
        "countryCode": "SE",
    }
    assert consignee["contact"]["smsNo"] == "+46709876543"
    item = shipment["goodsItem"][0]["items"][0]
    assert item["itemIdentification"] == {"itemId": "0"}
    assert item["grossWeight"] == {"value": 1.2, "unit": "KGM"}
    assert item["dimensions"]["length"] == {"value": 30.0, "unit": "CMT"}

    assert booking.tracking_number == ITEM_ID
    assert booking.courier_reference == "84971563697SE"
    assert booking.label_pdf == PDF
    assert (booking.price, booking.currency) == (Decimal("69.00"), "SEK")


def test_book_several_parcels_tracks_the_shipment_id(httpserver, courier):
    """With more than one parcel the shipment id, which covers them all, is the
    tracking number."""
    httpserver.expect_request(BOOK, method="POST").respond_with_json(
        fixture("postnord", "booking_ok.json")
    )
    booking = courier.book(booking_request("mypack_home", parcels=2))
    assert booking.tracking_number == "84971563697SE"
    assert len(httpserver.log[0][0].get_json()["shipment"][0]["goodsItem"]) == 2


def test_book_refused_with_400_gives_postnords_words(httpserver, courier):
    httpserver.expect_request(BOOK, method="POST").respond_with_json(
        fixture("postnord", "booking_invalid.json"), status=400
    )
    with pytest.raises(CourierError) as info:
        courier.book(booking_request("mypack_home"))
    assert not info.value.retryable
    assert info.value.status == 400
    assert "postalCode 999 is not valid for countryCode SE" in info.value.message


def test_book_item_level_failure_is_an_error(httpserver, courier):
    """A 200 whose idInformation reports a failed item is a refused booking."""
    httpserver.expect_request(BOOK, method="POST").respond_with_json(
        {
            "bookingResponse": {
                "idInformation": [
                    {
                        "status": "FAILED",
                        "ids": [],
                        "errorResponse": {
                            "compositeFault": {
                                "faults": [{"explanationText": "Unknown customer"}]
                            }
                        },
                    }
                ]
            }
        }
    )
    with pytest.raises(CourierError, match="Unknown customer"):
        courier.book(booking_request("mypack_home"))


def test_book_unknown_service_is_refused_without_calling(httpserver, courier):
    with pytest.raises(CourierError, match="no service 'express'"):
        courier.book(booking_request("express"))
    assert httpserver.log == []


def test_cancel_sends_a_deletion_instruction(httpserver, courier):
    httpserver.expect_request("/rest/shipment/v3/edi", method="POST").respond_with_json(
        {}
    )
    courier.cancel("84971563697SE")
    body = httpserver.log[0][0].get_json()
    assert body["updateIndicator"] == "Deletion"
    assert body["shipment"] == [
        {"shipmentIdentification": {"shipmentId": "84971563697SE"}}
    ]


def test_track_normalizes_events_and_keeps_raw_codes(httpserver, courier):
    """Events come back oldest first in our statuses, with PostNord's status and
    event code beside them, local Swedish times read as such, and the ETA."""
    httpserver.expect_request(TRACK, method="GET").respond_with_json(
        fixture("postnord", "track_available.json")
    )

    update = courier.track(ITEM_ID)

    assert httpserver.log[0][0].args.to_dict() == {
        "id": ITEM_ID,
        "apikey": "pn-key",
        "locale": "en",
    }
    assert update.tracking_number == ITEM_ID
    assert [(e.status, e.raw_code) for e in update.events] == [
        (T.INFO_RECEIVED, "INFORMED/EDI_RECEIVED"),
        (T.IN_TRANSIT, "EN_ROUTE/71"),
        (T.IN_TRANSIT, "EN_ROUTE/72"),
        (T.AVAILABLE_FOR_PICKUP, "AVAILABLE_FOR_DELIVERY/41"),
    ]
    # 14:02:11 in Stockholm in November is 13:02:11 UTC.
    assert update.events[0].occurred_at == datetime(2025, 11, 10, 13, 2, 11, tzinfo=UTC)
    assert update.events[-1].location == "ICA Supermarket Haga, Göteborg"
    assert update.events[-1].description.startswith("The shipment item has arrived")
    assert update.estimated_delivery == date(2025, 11, 12)


def test_track_unknown_number_is_shipment_not_found(httpserver, courier):
    """PostNord answers an unknown number with no shipments."""
    httpserver.expect_request(TRACK).respond_with_json(
        fixture("postnord", "track_not_found.json")
    )
    with pytest.raises(ShipmentNotFound):
        courier.track("00000000000000000000")


def test_track_404_is_shipment_not_found(httpserver, courier):
    httpserver.expect_request(TRACK).respond_with_json(
        {"message": "Shipment not found"}, status=404
    )
    with pytest.raises(ShipmentNotFound, match="Shipment not found"):
        courier.track("00000000000000000000")


def test_track_bad_api_key_is_a_credentials_error(httpserver, courier):
    httpserver.expect_request(TRACK).respond_with_json(
        {"message": "Invalid apikey"}, status=401
    )
    with pytest.raises(CourierError) as info:
        courier.track(ITEM_ID)
    assert not isinstance(info.value, ShipmentNotFound)
    assert "did not accept the account's API credentials: Invalid apikey" in (
        info.value.message
    )


def test_429_with_retry_after_is_rate_limited(httpserver, courier):
    httpserver.expect_request(TRACK).respond_with_data(
        "Too Many Requests", status=429, headers={"Retry-After": "30"}
    )
    with pytest.raises(CourierRateLimited) as info:
        courier.track(ITEM_ID)
    assert info.value.retry_after == 30


def test_5xx_is_unavailable(httpserver, courier):
    httpserver.expect_request(BOOK, method="POST").respond_with_data(
        "Bad gateway", status=502
    )
    with pytest.raises(CourierUnavailable) as info:
        courier.book(booking_request("mypack_home"))
    assert info.value.retryable


def test_silent_server_times_out_quickly(monkeypatch):
    with silent_server() as url:
        error = assert_times_out_quickly(
            monkeypatch, lambda: make_courier(url).track(ITEM_ID)
        )
    assert "did not answer in time" in error.message


def _push(courier, payload, headers):
    return courier.parse_webhook(json.dumps(payload).encode(), headers)


def test_webhook_with_the_shared_secret_gives_updates_for_shipment_and_item():
    """A push in Track & Trace format with the right X-PostNord-Secret gives one
    update under the shipment id and one under the item id."""
    courier = make_courier("http://x")
    updates = _push(
        courier,
        fixture("postnord", "push_delivered.json"),
        {"x-postnord-secret": "s3cret"},
    )
    assert [u.tracking_number for u in updates] == ["84971563697SE", ITEM_ID]
    assert [e.status for e in updates[1].events] == [
        T.AVAILABLE_FOR_PICKUP,
        T.DELIVERED,
    ]
    assert updates[1].events[-1].raw_code == "DELIVERED/21"


@pytest.mark.parametrize(
    ("secret", "headers"),
    [
        ("s3cret", {}),
        ("s3cret", {"X-PostNord-Secret": "guess"}),
        ("", {"X-PostNord-Secret": ""}),
    ],
    ids=["missing header", "wrong secret", "account without secret"],
)
def test_webhook_without_the_right_secret_is_refused(secret, headers):
    courier = make_courier("http://x", webhook_secret=secret)
    with pytest.raises(BadSignature):
        _push(courier, fixture("postnord", "push_delivered.json"), headers)


@pytest.mark.parametrize(
    "body", [b"not json", b"[]", b'{"TrackingInformationResponse": {}}']
)
def test_webhook_malformed_body_is_refused(body):
    courier = make_courier("http://x")
    with pytest.raises(MalformedPayload):
        courier.parse_webhook(body, {"X-PostNord-Secret": "s3cret"})


# PostNord's documented Track & Trace statuses and what each means for us.
DOCUMENTED = {
    "CREATED": T.INFO_RECEIVED,
    "INFORMED": T.INFO_RECEIVED,
    "EN_ROUTE": T.IN_TRANSIT,
    "SPLIT": T.IN_TRANSIT,
    "EXPECTED_DELAY": T.IN_TRANSIT,
    "DELAYED": T.IN_TRANSIT,
    "OTHER": T.IN_TRANSIT,
    "AVAILABLE_FOR_DELIVERY": T.AVAILABLE_FOR_PICKUP,
    "AVAILABLE_FOR_DELIVERY_PAR_LOC": T.AVAILABLE_FOR_PICKUP,
    "DELIVERED": T.DELIVERED,
    "DELIVERY_IMPOSSIBLE": T.EXCEPTION,
    "DELIVERY_REFUSED": T.EXCEPTION,
    "STOPPED": T.EXCEPTION,
    "RETURNED": T.RETURNED,
}


@pytest.mark.parametrize(("code", "expected"), DOCUMENTED.items())
def test_status_mapping(code, expected):
    assert STATUS_MAP[code] == expected


def test_every_documented_code_maps_to_a_tracking_status():
    assert set(STATUS_MAP) == set(DOCUMENTED)
    assert all(isinstance(status, T) for status in STATUS_MAP.values())


def test_unknown_code_reads_as_in_transit_and_is_logged(caplog):
    payload = fixture("postnord", "push_delivered.json")
    event = payload["TrackingInformationResponse"]["shipments"][0]["items"][0]
    event["events"][-1]["status"] = "SOMETHING_NEW"
    updates = _push(make_courier("http://x"), payload, {"X-PostNord-Secret": "s3cret"})
    assert updates[1].events[-1].status == T.IN_TRANSIT
    assert "SOMETHING_NEW" in caplog.text


def test_webhook_of_an_unexpected_shape_is_malformed():
    payload = {
        "shipments": [{"shipmentId": "84971563697SE", "items": [{"events": [1]}]}]
    }
    with pytest.raises(MalformedPayload, match="Unexpected PostNord payload"):
        _push(make_courier("http://x"), payload, {"X-PostNord-Secret": "s3cret"})
