"""Courier accounts in the settings: credentials masked and write-only, and
"test connection" asking the courier (a local HTTP server here) once, on a short
timeout, and showing its answer."""

import importlib.util

import pytest
from django.urls import reverse

from performile.models import AuditEvent
from shipments.couriers.postnord import TRACK_PATH
from shipments.models import CourierAccount
from tests.shipments.factories import CourierAccountFactory

pytestmark = pytest.mark.django_db


def _test(client, account):
    url = reverse("workspace:settings:courier-test", args=[account.pk])
    return client.post(url).content.decode()


def test_credentials_are_masked_on_every_page(admin_client, courier_account):
    for url in (
        reverse("workspace:settings:couriers"),
        reverse("workspace:settings:courier", args=[courier_account.pk]),
    ):
        page = admin_client.get(url).content.decode()
        assert "pn-live-key-123" not in page
        assert "pn-live-secret-456" not in page


def test_an_empty_credential_keeps_the_one_there_is(admin_client, courier_account):
    response = admin_client.post(
        reverse("workspace:settings:courier", args=[courier_account.pk]),
        {
            "courier": "postnord",
            "name": "PostNord SE",
            "base_url": "https://api2.postnord.com",
            "api_key": "",
            "api_secret": "rotated-secret",
            "enabled": "on",
        },
    )
    assert response.status_code == 302
    courier_account.refresh_from_db()
    assert courier_account.name == "PostNord SE"
    assert courier_account.api_key == "pn-live-key-123"
    assert courier_account.api_secret == "rotated-secret"
    event = AuditEvent.objects.get(action="courier_account.updated")
    assert set(event.data["fields"]) == {"name", "base_url", "api_secret"}
    assert "rotated-secret" not in str(event.data)


def test_an_admin_adds_an_account(admin_client, merchant):
    response = admin_client.post(
        reverse("workspace:settings:courier-create"),
        {
            "courier": "bring",
            "name": "Bring",
            "base_url": "https://api.bring.com",
            "api_key": "bring-key",
            "enabled": "on",
        },
    )
    assert response.status_code == 302
    account = CourierAccount.objects.get(name="Bring")
    assert (account.merchant, account.api_key) == (merchant, "bring-key")


def test_connection_test_says_the_courier_took_the_credentials(
    admin_client, courier_account, httpserver
):
    httpserver.expect_request(TRACK_PATH).respond_with_json(
        {"TrackingInformationResponse": {"shipments": []}}
    )
    courier_account.base_url = httpserver.url_for("").rstrip("/")
    courier_account.save()
    text = _test(admin_client, courier_account)
    assert "Connected" in text
    assert "accepted the credentials" in text
    request, _response = httpserver.log[0]
    assert request.args["apikey"] == "pn-live-key-123"
    assert request.args["id"] == "PERFORMILE0TEST"


def test_connection_test_shows_a_refusal(admin_client, courier_account, httpserver):
    httpserver.expect_request(TRACK_PATH).respond_with_json(
        {"message": "Invalid apikey"}, status=401
    )
    courier_account.base_url = httpserver.url_for("").rstrip("/")
    courier_account.save()
    text = _test(admin_client, courier_account)
    assert "Failed" in text
    assert "did not accept the account&#x27;s API credentials" in text


def test_connection_test_shows_an_unreachable_courier(admin_client, courier_account):
    courier_account.base_url = "http://127.0.0.1:9"
    courier_account.save()
    text = _test(admin_client, courier_account)
    assert "Failed" in text
    assert "could not be reached" in text


@pytest.mark.skipif(
    importlib.util.find_spec("karrio") is not None,
    reason="the karrio bridge is installed here",
)
def test_a_karrio_account_is_tested_too_and_says_what_is_missing(
    admin_client, merchant
):
    """A karrio carrier is asked like any other (under the same deadline); on a
    platform without the optional bridge, the answer says so."""
    account = CourierAccountFactory(
        merchant=merchant, courier="karrio:dhl_express", name="DHL via karrio"
    )
    text = _test(admin_client, account)
    assert "Failed" in text
    assert "karrio bridge is not installed" in text
