import json
import time

import pytest
from nacl.signing import SigningKey

from tests.discord.conftest import APPLICATION_ID, URL, command_payload, signed

pytestmark = pytest.mark.django_db

PING = json.dumps({"type": 1, "application_id": APPLICATION_ID, "id": "1"}).encode()


def post(client, body, headers):
    return client.post(URL, body, content_type="application/json", **headers)


def test_a_ping_with_a_valid_signature_is_answered_pong(client, guild):
    response = post(client, PING, signed(PING))
    assert response.status_code == 200
    assert response.json() == {"type": 1}


def test_a_tampered_body_is_401(client, guild):
    headers = signed(PING)
    tampered = PING.replace(b'"id": "1"', b'"id": "2"')
    assert post(client, tampered, headers).status_code == 401


def test_a_signature_by_another_key_is_401(client, guild):
    assert (
        post(client, PING, signed(PING, key=SigningKey.generate())).status_code == 401
    )


def test_an_old_timestamp_is_401_even_when_signed(client, guild):
    old = signed(PING, timestamp=int(time.time()) - 3600)
    assert post(client, PING, old).status_code == 401


def test_missing_headers_are_401(client, guild):
    assert post(client, PING, {}).status_code == 401


def test_an_unknown_application_is_401(client, guild):
    body = json.dumps({"type": 1, "application_id": "123", "id": "1"}).encode()
    assert post(client, body, signed(body)).status_code == 401


@pytest.mark.parametrize("body", [b"not json", b"[1, 2]", b"\xff\xfe"])
def test_a_body_that_is_not_a_json_object_is_400_in_the_error_shape(
    client, guild, body
):
    response = post(client, body, signed(body))

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "malformed"


def test_a_bad_signature_is_401_in_the_error_shape(client, guild):
    response = post(client, PING, signed(PING, key=SigningKey.generate()))

    assert response.json()["error"]["code"] == "bad_signature"


def test_a_get_is_405_in_the_error_shape(client, guild):
    response = client.get(URL)

    assert response.status_code == 405
    assert response.json()["error"]["code"] == "method_not_allowed"


def test_a_server_that_is_not_linked_is_told_so(interact):
    answer = interact("trackorder", guild_id="1")
    assert "not linked" in answer["data"]["content"]
    assert answer["data"]["flags"] == 64


@pytest.mark.parametrize(
    "change",
    [
        {"data": {"options": []}},
        {"data": {"name": "trackorder", "options": {"order_id": "1"}}},
        {"member": {"permissions": "many"}},
    ],
    ids=["no-command-name", "options-not-a-list", "no-invoking-user"],
)
def test_a_signed_command_that_is_not_shaped_as_discord_sends_it_is_400(
    client, guild, change
):
    payload = command_payload("trackorder")
    payload.update(change)
    body = json.dumps(payload).encode()

    response = post(client, body, signed(body))

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "malformed"
