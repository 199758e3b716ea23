"""No tracking push a courier's endpoint is sent, with the right secret, reaches a
500 or leaves a delivery failing: Bring, PostNord and DHL from their documented
samples changed at random, and the sandbox courier (tests/properties.py)."""

import hashlib
import hmac
import json

import pytest
from django.urls import reverse

from tests.properties import any_json, assert_always_answered_well, mutated
from tests.shipments.courier_http import fixture
from tests.shipments.factories import CourierAccountFactory, ShipmentFactory

pytestmark = pytest.mark.django_db

SECRET = "s3cret"

SAMPLE = {
    "bring": (fixture("bring", "tracking_ready_for_pickup.json"), "370438101015432113"),
    "postnord": (fixture("postnord", "push_delivered.json"), "00370712345678901234"),
    "dhl": (fixture("dhl", "track_out_for_delivery.json"), "00340434292135100124"),
    "sandbox": (
        {
            "id": "evt-1",
            "tracking_number": "SBX0000000001",
            "status": "IN_TRANSIT",
            "event": {
                "code": "IN_TRANSIT",
                "description": "On its way",
                "location": "Solna",
                "occurred_at": "2026-11-21T09:00:00+01:00",
            },
            "estimated_delivery": None,
        },
        "SBX0000000001",
    ),
}
SECRET_HEADER = {
    "bring": "HTTP_X_BRING_SECRET",
    "postnord": "HTTP_X_POSTNORD_SECRET",
    "dhl": "HTTP_X_DHL_SECRET",
}


def signed(courier: str, account, body: bytes) -> dict:
    if courier == "sandbox":
        digest = hmac.new(account.api_key.encode(), body, hashlib.sha256).hexdigest()
        return {"HTTP_X_SANDBOX_SIGNATURE": f"sha256={digest}"}
    return {SECRET_HEADER[courier]: SECRET}


@pytest.mark.parametrize("courier", list(SAMPLE))
@pytest.mark.parametrize("sample", ["changed", "any"])
def test_a_courier_push_is_answered_without_a_server_error(
    client, store, courier, sample
):
    payload, number = SAMPLE[courier]
    account = CourierAccountFactory(
        merchant=store.merchant, courier=courier, webhook_secret=SECRET
    )
    ShipmentFactory(order__store=store, account=account, tracking_number=number)
    url = reverse("webhook-courier", args=[courier, account.webhook_key])

    def send(payload):
        body = json.dumps(payload).encode()
        headers = signed(courier, account, body)
        return client.post(url, body, content_type="application/json", **headers)

    examples = mutated(payload) if sample == "changed" else any_json
    assert_always_answered_well(examples, send)
