"""`manage.py discord_register_commands` puts the four command definitions to
Discord's bulk-overwrite endpoints, for one linked server or globally."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from werkzeug import Response

from tests.discord.conftest import APPLICATION_ID, GUILD_ID

pytestmark = pytest.mark.django_db
GUILD_COMMANDS = f"/api/v10/applications/{APPLICATION_ID}/guilds/{GUILD_ID}/commands"
GLOBAL_COMMANDS = f"/api/v10/applications/{APPLICATION_ID}/commands"
STRING, INTEGER, USER = 3, 4, 6


@pytest.fixture
def discord(settings, httpserver):
    settings.DISCORD_API_BASE = httpserver.url_for("/api/v10")
    return httpserver


def registered(request_json):
    """Discord answers with the commands as stored, ids added."""
    return [
        {**command, "id": str(1000 + n), "application_id": APPLICATION_ID}
        for n, command in enumerate(request_json)
    ]


def echo(request):
    body = json.loads(request.data)
    return Response(json.dumps(registered(body)), content_type="application/json")


def register(*args):
    out = StringIO()
    call_command("discord_register_commands", *args, stdout=out)
    return out.getvalue()


def sent_commands(server):
    ((request, _response),) = server.log
    return {command["name"]: command for command in json.loads(request.data)}


def options(command):
    return {
        option["name"]: (option["type"], option["required"])
        for option in command["options"]
    }


def test_a_guild_gets_the_four_commands_with_options_and_choices(discord, guild):
    discord.expect_oneshot_request(
        GUILD_COMMANDS, method="PUT", headers={"Authorization": "Bot bot-token"}
    ).respond_with_handler(echo)

    out = register("--guild", GUILD_ID)

    discord.check_assertions()
    commands = sent_commands(discord)
    assert set(commands) == {"trackorder", "addorder", "updateorder", "listorders"}
    assert options(commands["trackorder"]) == {"order_id": (STRING, False)}
    assert options(commands["addorder"]) == {
        "user": (USER, True),
        "order_id": (STRING, False),
        "service": (STRING, True),
        "payment_method": (STRING, True),
        "amount": (STRING, True),
        "notes": (STRING, False),
    }
    for command in commands.values():  # Discord refuses optional before required
        required = [option["required"] for option in command["options"]]
        assert required == sorted(required, reverse=True)
    assert options(commands["updateorder"]) == {
        "order_id": (STRING, True),
        "status": (STRING, True),
        "notes": (STRING, False),
        "assigned_staff": (USER, False),
    }
    assert options(commands["listorders"]) == {
        "status": (STRING, False),
        "service": (STRING, False),
        "limit": (INTEGER, False),
    }
    payment = commands["addorder"]["options"][2]["choices"]
    assert {"name": "Stripe", "value": "stripe"} in payment
    assert {"name": "PayPal", "value": "paypal"} in payment
    status = commands["updateorder"]["options"][1]["choices"]
    assert [choice["value"] for choice in status] == [
        "payment_verified",
        "in_progress",
        "in_review",
        "complete",
        "on_hold",
        "cancelled",
    ]
    assert status == commands["listorders"]["options"][0]["choices"]
    limit = commands["listorders"]["options"][2]
    assert (limit["min_value"], limit["max_value"]) == (1, 25)
    for name in ("addorder", "updateorder", "listorders"):
        assert commands[name]["default_member_permissions"] == "32"
    assert "default_member_permissions" not in commands["trackorder"]
    assert all(command["dm_permission"] is False for command in commands.values())
    assert "/addorder" in out
    assert "Registered 4 command(s)" in out


def test_global_registration_uses_the_applications_bot(discord, guild):
    discord.expect_oneshot_request(
        GLOBAL_COMMANDS, method="PUT", headers={"Authorization": "Bot bot-token"}
    ).respond_with_handler(echo)

    out = register("--global", "--application", APPLICATION_ID)

    discord.check_assertions()
    assert len(sent_commands(discord)) == 4
    assert f"application {APPLICATION_ID} (global)" in out


def test_an_http_error_exits_with_discords_message(discord, guild):
    discord.expect_oneshot_request(GUILD_COMMANDS, method="PUT").respond_with_json(
        {"message": "401: Unauthorized", "code": 0}, status=401
    )

    with pytest.raises(CommandError, match=r"refused the commands \(401: 401: Unauth"):
        register("--guild", GUILD_ID)


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--guild", "123"], "No Discord server 123 is linked"),
        (["--global"], "--global needs --application"),
        (["--global", "--application", "999"], "No linked Discord server uses"),
    ],
)
def test_what_cannot_be_registered_is_refused_before_calling_discord(
    discord, guild, args, says
):
    with pytest.raises(CommandError, match=says):
        register(*args)
    assert discord.log == []
