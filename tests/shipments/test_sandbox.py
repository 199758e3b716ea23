"""The sandbox courier (sandbox_courier) through our adapter, against the real
server started by the `sandbox_courier` fixture."""

import dataclasses
import json
import re
import socket
import threading
import time
from decimal import Decimal
from pathlib import Path

import pytest
import requests
from django.utils import timezone

from orders.tracking import TrackingStatus as T
from performile.webhooks import BadSignature, MalformedPayload, hex_hmac
from sandbox_courier import harness, journey
from shipments.couriers import base, courier_for
from shipments.couriers.base import (
    AccountSettings,
    Address,
    BookingRequest,
    CourierError,
    CourierRateLimited,
    CourierUnavailable,
    Parcel,
    ServiceType,
    ShipmentNotFound,
)
from shipments.couriers.sandbox import STATUS_MAP, SandboxCourier, normalize

FINAL = {"DELIVERED", "EXCEPTION", "RETURNED"}  # where journeys end
SENDER = Address(
    name="Lisa Lager",
    company="Nordic Goods AB",
    line1="Sveavägen 1",
    postal_code="111 57",
    city="Stockholm",
    country="SE",
)
RECIPIENT = Address(
    name="Ola Nordmann",
    line1="Karl Johans gate 1",
    postal_code="0154",
    city="Oslo",
    country="NO",
)


def booking(**changes) -> BookingRequest:
    request = BookingRequest(
        reference="#1001",
        service_code="SBX_HOME",
        sender=SENDER,
        recipient=RECIPIENT,
        parcels=(Parcel(weight_kg=Decimal("2.5"), length_cm=Decimal("30")),),
    )
    return dataclasses.replace(request, **changes)


def assert_valid_pdf(pdf: bytes) -> None:
    """A one-page PDF whose cross-reference table points at its objects."""
    assert pdf.startswith(b"%PDF-1.")
    assert pdf.rstrip().endswith(b"%%EOF")
    xref = int(pdf.rsplit(b"startxref", 1)[1].split()[0])
    table = pdf[xref:].split(b"\n")
    assert table[0] == b"xref"
    first, count = map(int, table[1].split())
    for number, entry in enumerate(table[2 : 2 + count], start=first):
        offset, _generation, kind = entry.split()
        if kind == b"n":
            assert pdf[int(offset) :].startswith(b"%d 0 obj" % number)
    length = int(re.search(rb"/Length (\d+)", pdf).group(1))
    stream = pdf.split(b"stream\n", 1)[1]
    assert stream[length:].startswith(b"\nendstream")
    assert len(re.findall(rb"/Type /Page\b", pdf)) == 1
    try:
        import pypdf  # not a dependency; used when someone has it installed
    except ImportError:
        return
    import io

    assert len(pypdf.PdfReader(io.BytesIO(pdf)).pages) == 1


def wait_for(condition, timeout=5.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if result := condition():
            return result
        time.sleep(0.02)
    raise AssertionError("timed out waiting")


# --- services and booking ------------------------------------------------------


def test_services_offer_home_shop_and_locker_with_prices_and_transit_days(
    sandbox_adapter,
):
    """Services for a route come with a price in the sender's currency."""
    options = sandbox_adapter.services(from_country="SE", to_country="NO")

    assert {o.service_type for o in options} == {
        ServiceType.HOME,
        ServiceType.PARCEL_SHOP,
        ServiceType.LOCKER,
    }
    assert all(o.currency == "SEK" and o.price > 0 for o in options)
    assert all(o.transit_days >= 2 for o in options)
    domestic = {o.code: o for o in sandbox_adapter.services(from_country="SE")}
    abroad = {o.code: o for o in options}
    assert domestic["SBX_HOME"].price < abroad["SBX_HOME"].price
    assert domestic["SBX_HOME"].transit_days < abroad["SBX_HOME"].transit_days
    finnish = sandbox_adapter.services(from_country="FI", to_country="FI")
    assert {o.currency for o in finnish} == {"EUR"}


def test_services_default_to_the_accounts_country(sandbox_account):
    account = dataclasses.replace(sandbox_account, extra={"country": "NO"})
    assert {o.currency for o in SandboxCourier(account).services()} == {"NOK"}


def test_booking_returns_tracking_number_pdf_label_price_and_eta(sandbox_adapter):
    result = sandbox_adapter.book(booking())

    assert re.fullmatch(r"SBX\d{10}", result.tracking_number)
    assert_valid_pdf(result.label_pdf)
    assert b"(Reference: #1001)" in result.label_pdf
    assert f"Label {result.tracking_number}".encode() in result.label_pdf
    assert result.price == Decimal("182.00")  # (99 + 0.5 kg x 4) x 1.8 abroad
    assert result.currency == "SEK"
    assert result.estimated_delivery > timezone.localdate()
    assert result.courier_reference.startswith("shp_")


def test_the_label_can_be_fetched_again(sandbox_adapter, sandbox_courier):
    result = sandbox_adapter.book(booking())
    response = requests.get(
        f"{sandbox_courier}/v1/shipments/{result.tracking_number}/label.pdf",
        headers={"Authorization": f"Bearer {sandbox_adapter.account.api_key}"},
        timeout=5,
    )
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.content == result.label_pdf


def test_tracking_numbers_are_unique(sandbox_adapter):
    numbers = {sandbox_adapter.book(booking()).tracking_number for _ in range(20)}
    assert len(numbers) == 20


def test_the_same_idempotency_key_books_once(sandbox_adapter):
    first = sandbox_adapter.book(booking(idempotency_key="order-42"))
    again = sandbox_adapter.book(booking(idempotency_key="order-42"))
    other = sandbox_adapter.book(booking(idempotency_key="order-43"))

    assert again.tracking_number == first.tracking_number
    assert again.label_pdf == first.label_pdf
    assert other.tracking_number != first.tracking_number


def test_an_idempotency_key_reused_for_another_booking_is_refused(sandbox_adapter):
    sandbox_adapter.book(booking(idempotency_key="order-44"))
    with pytest.raises(CourierError, match="Idempotency-Key") as caught:
        sandbox_adapter.book(booking(idempotency_key="order-44", reference="#2"))
    assert caught.value.status == 422


def test_a_validation_error_names_the_field(sandbox_adapter):
    """The courier's own message reaches the merchant, naming what to fix."""
    bad = dataclasses.replace(RECIPIENT, postal_code="12")
    with pytest.raises(CourierError) as caught:
        sandbox_adapter.book(booking(recipient=bad))

    error = caught.value
    assert error.status == 422
    assert not error.retryable
    assert "recipient.postal_code '12' is not a valid NO postal code" in error.message


def test_a_too_heavy_parcel_for_a_locker_is_refused(sandbox_adapter):
    heavy = (Parcel(weight_kg=Decimal("25")),)
    with pytest.raises(CourierError, match=r"parcels\[0\].weight_kg"):
        sandbox_adapter.book(booking(service_code="SBX_LOCKER", parcels=heavy))


def test_an_empty_api_key_is_refused(sandbox_courier):
    courier = SandboxCourier(AccountSettings(base_url=sandbox_courier))
    with pytest.raises(CourierError, match="credentials") as caught:
        courier.services()
    assert caught.value.status == 401


def test_the_registry_finds_the_adapter(sandbox_account):
    assert isinstance(courier_for("sandbox", sandbox_account), SandboxCourier)


# --- cancelling ----------------------------------------------------------------


def test_a_booking_can_be_cancelled_until_it_is_picked_up(
    sandbox_adapter, sandbox_advance
):
    early = sandbox_adapter.book(booking())
    sandbox_adapter.cancel(early.courier_reference)
    assert sandbox_adapter.track(early.tracking_number).events[-1].raw_code == "BOOKED"

    late = sandbox_adapter.book(booking())
    sandbox_advance(late.tracking_number)
    with pytest.raises(CourierError, match="picked up") as caught:
        sandbox_adapter.cancel(late.courier_reference)
    assert caught.value.status == 409
    with pytest.raises(ShipmentNotFound):
        sandbox_adapter.cancel("shp_unknown")


# --- tracking ------------------------------------------------------------------


def test_tracking_after_advancing_shows_normalized_events_with_raw_codes(
    sandbox_adapter, sandbox_advance
):
    booked = sandbox_adapter.book(booking())
    assert [
        e.raw_code for e in sandbox_adapter.track(booked.tracking_number).events
    ] == ["BOOKED"]

    sandbox_advance(booked.tracking_number, steps=2)
    update = sandbox_adapter.track(booked.tracking_number)

    assert update.tracking_number == booked.tracking_number
    assert [(e.status, e.raw_code) for e in update.events] == [
        (T.INFO_RECEIVED, "BOOKED"),
        (T.IN_TRANSIT, "PICKED_UP"),
        (T.IN_TRANSIT, "IN_TRANSIT"),
    ]
    times = [e.occurred_at for e in update.events]
    assert all(t.tzinfo is not None for t in times)
    assert times == sorted(times)
    assert len(set(times)) == 3
    assert update.events[1].location == "Stockholm, SE"
    assert update.events[2].description == "Arrived at sorting terminal"
    assert update.estimated_delivery == booked.estimated_delivery


def test_a_parcel_advanced_to_the_end_reaches_a_final_status(
    sandbox_adapter, sandbox_advance
):
    booked = sandbox_adapter.book(booking())
    sandbox_advance(booked.tracking_number, until="DELIVERED")

    last = sandbox_adapter.track(booked.tracking_number).events[-1]
    assert last.raw_code in FINAL
    assert last.status == STATUS_MAP[last.raw_code]


def test_an_unknown_tracking_number_is_not_found(sandbox_adapter):
    with pytest.raises(ShipmentNotFound):
        sandbox_adapter.track("SBX0000000000")


def test_another_accounts_parcel_is_not_found(sandbox_adapter, sandbox_account):
    booked = sandbox_adapter.book(booking())
    stranger = SandboxCourier(dataclasses.replace(sandbox_account, api_key="other"))
    with pytest.raises(ShipmentNotFound):
        stranger.track(booked.tracking_number)


def test_the_tracking_page_shows_the_parcel(sandbox_adapter, sandbox_advance):
    booked = sandbox_adapter.book(booking())
    sandbox_advance(booked.tracking_number)
    url = sandbox_adapter.tracking_url(booked.tracking_number)

    assert url == f"{sandbox_adapter.account.base_url}/track/{booked.tracking_number}"
    page = requests.get(url, timeout=5)
    assert page.status_code == 200
    assert "Parcel picked up from sender" in page.text
    assert requests.get(url + "0", timeout=5).status_code == 404


# --- status mapping ------------------------------------------------------------


def test_the_status_table_maps_every_sandbox_code():
    assert set(STATUS_MAP) == set(journey.EVENT_CODES)
    assert all(isinstance(status, T) for status in STATUS_MAP.values())
    assert STATUS_MAP["BOOKED"] == T.INFO_RECEIVED
    assert STATUS_MAP["DELIVERY_ATTEMPT_FAILED"] == T.ATTEMPT_FAILED


def test_the_documented_status_table_is_the_adapters():
    """docs/couriers.md shows exactly the mapping the adapter applies."""
    doc = (Path(__file__).resolve().parents[2] / "docs" / "couriers.md").read_text()
    section = doc.split("## Sandbox courier", 1)[1].split("\n## ", 1)[0]
    section = section.split("**Status mapping**", 1)[1]
    documented = {}
    for row in re.findall(r"^\| (`.+?) \| (.+?) \|$", section, re.MULTILINE):
        for code in re.findall(r"`(\w+)`", row[0]):
            documented[code] = row[1]
    assert documented == {code: s.label.lower() for code, s in STATUS_MAP.items()}


def test_an_unknown_code_counts_as_in_transit():
    assert normalize("SORTED_BY_ROBOT") == T.IN_TRANSIT


def numbers_with(predicate, service_type="home_delivery", limit=2000):
    sender = {"city": "Stockholm", "country": "SE"}
    recipient = {"city": "Göteborg", "country": "SE"}
    for n in range(limit):
        number = f"SBX{n:010d}"
        codes = [s.code for s in journey.plan(number, service_type, sender, recipient)]
        if predicate(codes):
            yield number, codes


def test_journeys_include_failed_attempts_exceptions_pickups_and_returns():
    """Over many parcels: ~10% a failed attempt, ~5% an exception, returns rare;
    parcel-shop and locker parcels wait for pickup."""
    journeys = [codes for _, codes in numbers_with(lambda codes: True)]
    share = {
        code: sum(code in codes for codes in journeys) / len(journeys)
        for code in journey.EVENT_CODES
    }
    assert 0.07 < share["DELIVERY_ATTEMPT_FAILED"] < 0.13
    assert 0.03 < share["EXCEPTION"] < 0.08
    assert 0.005 < share["RETURNED"] < 0.04
    assert share["DELIVERED"] > 0.9
    assert all(codes[0] == "BOOKED" for codes in journeys)
    lockers = list(numbers_with(lambda c: True, "locker", limit=200))
    assert all(
        "AVAILABLE_FOR_PICKUP" in codes
        for _, codes in lockers
        if codes[-1] == "DELIVERED"
    )
    one, _ = next(numbers_with(lambda c: "DELIVERY_ATTEMPT_FAILED" in c))
    again = journey.plan(one, "home_delivery", {"country": "SE"}, {"country": "SE"})
    assert "DELIVERY_ATTEMPT_FAILED" in [s.code for s in again]  # fixed per number
    assert sum(s.gap_s for s in again) == pytest.approx(600, rel=0.3)


# --- webhooks ------------------------------------------------------------------


@pytest.fixture
def hook_account(sandbox_account, httpserver):
    httpserver.expect_request("/hooks/sandbox", method="POST").respond_with_json(
        {"status": "accepted"}
    )
    url = httpserver.url_for("/hooks/sandbox")
    return dataclasses.replace(sandbox_account, webhook_url=url)


def deliveries(httpserver, count):
    wait_for(lambda: len(httpserver.log) >= count)
    return [request for request, _ in httpserver.log]


def test_events_are_posted_signed_and_parse_webhook_accepts_them(
    hook_account, httpserver, sandbox_advance
):
    courier = SandboxCourier(hook_account)
    booked = courier.book(booking())
    sandbox_advance(booked.tracking_number)

    booked_hook, picked_up_hook = deliveries(httpserver, 2)
    body = picked_up_hook.get_data()
    expected = "sha256=" + hex_hmac(hook_account.api_key, body)
    assert picked_up_hook.headers["X-Sandbox-Signature"] == expected
    assert json.loads(body)["id"] == f"{booked.tracking_number}-1"

    [update] = courier.parse_webhook(body, dict(picked_up_hook.headers))
    assert update.tracking_number == booked.tracking_number
    [event] = update.events
    assert (event.status, event.raw_code) == (T.IN_TRANSIT, "PICKED_UP")
    assert event.occurred_at.tzinfo is not None
    assert update.estimated_delivery == booked.estimated_delivery
    [first] = courier.parse_webhook(booked_hook.get_data(), booked_hook.headers)
    assert first.events[0].status == T.INFO_RECEIVED


def test_parse_webhook_refuses_a_tampered_body_or_another_key(hook_account, httpserver):
    courier = SandboxCourier(hook_account)
    courier.book(booking())
    [hook] = deliveries(httpserver, 1)
    body, headers = hook.get_data(), dict(hook.headers)

    with pytest.raises(BadSignature):
        courier.parse_webhook(body.replace(b"BOOKED", b"DELIVERED"), headers)
    wrong_key = SandboxCourier(dataclasses.replace(hook_account, api_key="other"))
    with pytest.raises(BadSignature):
        wrong_key.parse_webhook(body, headers)
    with pytest.raises(BadSignature):
        courier.parse_webhook(body, {})
    # A webhook secret on the account replaces the API key as the signing key.
    secret = SandboxCourier(dataclasses.replace(hook_account, webhook_secret="s3"))
    with pytest.raises(BadSignature):
        secret.parse_webhook(body, headers)
    signed = {"x-sandbox-signature": "sha256=" + hex_hmac("s3", body)}
    assert secret.parse_webhook(body, signed)[0].events[0].raw_code == "BOOKED"


def test_parse_webhook_refuses_a_signed_but_malformed_body(sandbox_account):
    courier = SandboxCourier(sandbox_account)
    for body, problem in [
        (b"[1, 2]", "JSON object"),
        (b'{"tracking_number": "SBX1"}', "'event'"),
        (
            b'{"tracking_number": "SBX1", "event": {"code": "BOOKED",'
            b' "occurred_at": "yesterday"}}',
            "occurred_at",
        ),
    ]:
        headers = {
            "X-Sandbox-Signature": "sha256=" + hex_hmac(sandbox_account.api_key, body)
        }
        with pytest.raises(MalformedPayload, match=problem):
            courier.parse_webhook(body, headers)


def test_a_failed_webhook_is_retried_with_the_same_body(sandbox_account, httpserver):
    httpserver.expect_oneshot_request("/hooks/flaky").respond_with_data(
        "down", status=503
    )
    httpserver.expect_request("/hooks/flaky").respond_with_data("ok")
    account = dataclasses.replace(
        sandbox_account, webhook_url=httpserver.url_for("/hooks/flaky")
    )
    SandboxCourier(account).book(booking())

    first, second = deliveries(httpserver, 2)  # the first retry waits ~1 s
    assert second.headers["X-Sandbox-Attempt"] == "2"
    assert second.get_data() == first.get_data()
    assert second.headers["X-Sandbox-Event-Id"] == first.headers["X-Sandbox-Event-Id"]


# --- failures ------------------------------------------------------------------


@pytest.fixture
def silent_server():
    """Accepts connections and never answers."""
    listener = socket.create_server(("127.0.0.1", 0))
    held = []
    stop = threading.Event()

    def accept():
        listener.settimeout(0.1)
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    stop.set()
    thread.join()
    for connection in held:
        connection.close()
    listener.close()


def test_a_courier_that_never_answers_is_unavailable_within_the_timeout(
    silent_server, monkeypatch
):
    monkeypatch.setattr(base, "DEFAULT_TIMEOUT", (0.5, 0.5))
    courier = SandboxCourier(AccountSettings(base_url=silent_server, api_key="k"))

    started = time.monotonic()
    with pytest.raises(CourierUnavailable, match="did not answer in time") as caught:
        courier.track("SBX0000000001")
    assert time.monotonic() - started < 2
    assert caught.value.retryable


def test_a_429_is_rate_limited_with_retry_after(
    sandbox_adapter, sandbox_process, sandbox_api_key
):
    booked = sandbox_adapter.book(booking())
    sandbox_process.fail_next(
        sandbox_api_key, status=429, retry_after=7, path="/v1/tracking/"
    )

    with pytest.raises(CourierRateLimited) as caught:
        sandbox_adapter.track(booked.tracking_number)
    assert caught.value.retry_after == 7.0
    assert caught.value.retryable
    assert sandbox_adapter.track(booked.tracking_number).events  # only once


def test_a_5xx_is_unavailable(sandbox_adapter, sandbox_process, sandbox_api_key):
    sandbox_process.fail_next(sandbox_api_key, status=503)
    with pytest.raises(CourierUnavailable) as caught:
        sandbox_adapter.services()
    assert caught.value.status == 503


def test_the_sandbox_own_rate_limit_answers_429():
    with harness.start(rate_limit=2) as sandbox:
        courier = SandboxCourier(
            AccountSettings(base_url=sandbox.base_url, api_key="k")
        )
        courier.services()
        courier.services()  # the burst is the rate: 2
        with pytest.raises(CourierRateLimited) as caught:
            courier.services()
    assert caught.value.retry_after >= 1


# --- time and restarts ---------------------------------------------------------


def posted_codes(httpserver) -> list[str]:
    return [json.loads(r.get_data())["event"]["code"] for r, _ in httpserver.log]


def test_parcels_move_by_themselves_and_survive_a_restart(tmp_path, httpserver):
    """At speed 600 a journey takes about a second, each event is posted as it
    happens, and the state file keeps the parcel through a restart."""
    httpserver.expect_request("/hooks/timed").respond_with_data("ok")
    hook = httpserver.url_for("/hooks/timed")
    state = tmp_path / "sandbox.json"
    with harness.start(speed=600, state=state, first_webhook_delay=0) as sandbox:
        account = AccountSettings(
            base_url=sandbox.base_url, api_key="k", webhook_url=hook
        )
        courier = SandboxCourier(account)
        number = courier.book(booking()).tracking_number
        wait_for(lambda: set(posted_codes(httpserver)[-1:]) & FINAL, timeout=10)
        hooks = posted_codes(httpserver)
        events = courier.track(number).events
    assert [e.raw_code for e in events] == hooks
    assert len(events) >= 6
    with harness.start(speed=0, state=state) as sandbox:
        courier = SandboxCourier(
            AccountSettings(base_url=sandbox.base_url, api_key="k")
        )
        assert courier.track(number).events == events


def test_seeding_books_many_parcels_at_once(sandbox_process, sandbox_adapter):
    """The benchmarks' way to fill the sandbox: one call, many parcels."""
    template = {
        "reference": "bench",
        "service_code": "SBX_SHOP",
        "sender": {
            "name": "A",
            "line1": "Storgatan 1",
            "postal_code": "11157",
            "city": "Stockholm",
            "country": "SE",
        },
        "recipient": {
            "name": "B",
            "line1": "Haga Nygata 3",
            "postal_code": "41118",
            "city": "Göteborg",
            "country": "SE",
        },
        "parcels": [{"weight_kg": 1}],
    }
    numbers = sandbox_process.seed(sandbox_adapter.account.api_key, template, 300)

    assert len(set(numbers)) == 300
    update = sandbox_adapter.track(numbers[-1])
    assert [e.raw_code for e in update.events] == ["BOOKED"]


def test_an_answer_of_the_wrong_shape_is_a_courier_error(httpserver):
    httpserver.expect_request("/v1/tracking/SBX1").respond_with_json(
        {"tracking_number": "SBX1", "events": [{"code": "BOOKED"}]}
    )
    httpserver.expect_request("/v1/services").respond_with_data("<html>oops</html>")
    courier = SandboxCourier(
        AccountSettings(base_url=httpserver.url_for("/").rstrip("/"), api_key="k")
    )

    with pytest.raises(CourierError, match="unexpected format.*occurred_at"):
        courier.track("SBX1")
    with pytest.raises(CourierError, match="unexpected format"):
        courier.services()


# --- tracking a number booked elsewhere -------------------------------------------


def test_a_registered_number_plays_a_journey_and_posts_its_events(
    hook_account, httpserver, sandbox_advance
):
    courier = SandboxCourier(hook_account)
    number = f"RR{time.time_ns() % 10**9:09d}SE"
    courier.register_tracking(number)
    courier.register_tracking(number)  # again: the same parcel
    sandbox_advance(number)
    booked_hook, picked_up_hook = deliveries(httpserver, 2)
    [update] = courier.parse_webhook(
        picked_up_hook.get_data(), dict(picked_up_hook.headers)
    )
    assert (update.tracking_number, update.events[0].raw_code) == (
        number,
        "PICKED_UP",
    )
    assert [e.raw_code for e in courier.track(number).events] == [
        "BOOKED",
        "PICKED_UP",
    ]
    assert json.loads(booked_hook.get_data())["event"]["code"] == "BOOKED"


def test_another_accounts_number_or_a_malformed_one_cannot_be_registered(
    sandbox_adapter, sandbox_account
):
    booked = sandbox_adapter.book(booking())
    stranger = SandboxCourier(dataclasses.replace(sandbox_account, api_key="other"))
    with pytest.raises(CourierError, match="another account"):
        stranger.register_tracking(booked.tracking_number)
    with pytest.raises(CourierError, match="letters, digits and dashes"):
        sandbox_adapter.register_tracking("RR 1234/5")
