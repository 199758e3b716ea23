"""A linked Discord server and a way to send it signed interactions, as Discord
does: Ed25519 over timestamp + raw body with the application's key."""

import json
import time

import pytest
from nacl.signing import SigningKey

from orders.discord.invocation import MANAGE_GUILD
from orders.models import DiscordGuild
from tests.factories import CustomerFactory

APPLICATION_ID = "900000000000000001"
GUILD_ID = "800000000000000001"
ADMIN_ID = "700000000000000001"
CUSTOMER_ID = "700000000000000002"
URL = "/integrations/discord/interactions"

_KEY = SigningKey.generate()


@pytest.fixture
def signing_key():
    return _KEY


@pytest.fixture
def guild(store):
    return DiscordGuild.objects.create(
        store=store,
        guild_id=GUILD_ID,
        name="Pixel Desk",
        application_id=APPLICATION_ID,
        public_key=_KEY.verify_key.encode().hex(),
        bot_token="bot-token",
        purchased_role_id="600000000000000001",
    )


@pytest.fixture
def discord_customer(merchant):
    return CustomerFactory(
        merchant=merchant, discord_user_id=CUSTOMER_ID, name="Kai", email=""
    )


def signed(body: bytes, *, key=_KEY, timestamp: int | None = None) -> dict:
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    signature = key.sign(stamp.encode() + body).signature.hex()
    return {
        "HTTP_X_SIGNATURE_ED25519": signature,
        "HTTP_X_SIGNATURE_TIMESTAMP": stamp,
    }


def command_payload(
    name: str,
    options: dict | None = None,
    *,
    user_id: str = CUSTOMER_ID,
    username: str = "kai",
    permissions: int = 0,
    resolved_users: dict | None = None,
    guild_id: str = GUILD_ID,
) -> dict:
    return {
        "id": "1",
        "application_id": APPLICATION_ID,
        "type": 2,
        "token": "interaction-token",
        "version": 1,
        "guild_id": guild_id,
        "data": {
            "id": "2",
            "name": name,
            "type": 1,
            "options": [
                {"name": key, "type": 3, "value": value}
                for key, value in (options or {}).items()
            ],
            "resolved": {
                "users": {
                    uid: {"id": uid, "username": uname}
                    for uid, uname in (resolved_users or {}).items()
                }
            },
        },
        "member": {
            "user": {"id": user_id, "username": username},
            "permissions": str(permissions),
        },
    }


@pytest.fixture
def interact(client, guild):
    """interact(name, options, as_admin=False, **payload) -> the JSON answer."""

    def send(name, options=None, *, as_admin=False, **kwargs):
        if as_admin:
            kwargs.setdefault("user_id", ADMIN_ID)
            kwargs.setdefault("username", "admin")
            kwargs.setdefault("permissions", MANAGE_GUILD)
        body = json.dumps(command_payload(name, options, **kwargs)).encode()
        response = client.post(
            URL, body, content_type="application/json", **signed(body)
        )
        assert response.status_code == 200, response.content
        return response.json()

    return send


def text_of(answer: dict) -> str:
    """Everything a person reads in the answer: content and embeds."""
    data = answer["data"]
    parts = [data.get("content", "")]
    for embed in data.get("embeds", []):
        parts += [embed.get("title", ""), embed.get("description", "")]
        parts += [f"{f['name']}: {f['value']}" for f in embed.get("fields", [])]
        parts.append((embed.get("footer") or {}).get("text", ""))
    return "\n".join(part for part in parts if part)
