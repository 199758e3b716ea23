"""No interaction Discord's endpoint is sent, correctly signed, reaches a 500:
slash commands from Discord's documented shape changed at random, and any JSON
(tests/properties.py)."""

import json

import pytest
from hypothesis import given

from tests.discord.conftest import URL, command_payload, signed
from tests.properties import any_json, mutated, undone

pytestmark = pytest.mark.django_db

COMMANDS = {
    "trackorder": {"order_id": "STRIPE_123456"},
    "listorders": {},
    "addorder": {"customer": "700000000000000002", "order": "ORD-2001"},
    "updateorder": {"order": "ORD-1001", "status": "shipped"},
}


@pytest.mark.parametrize("command", [*COMMANDS, "any"])
def test_an_interaction_is_answered_without_a_server_error(client, guild, command):
    strategy = (
        any_json
        if command == "any"
        else mutated(command_payload(command, COMMANDS[command], permissions=8))
    )

    @given(payload=strategy)
    def check(payload):
        body = json.dumps(payload).encode()
        with undone():
            response = client.post(
                URL, body, content_type="application/json", **signed(body)
            )
            assert response.status_code < 500, response.content[:500]
            assert response.json()

    check()
