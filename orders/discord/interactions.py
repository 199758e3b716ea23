"""The Interactions endpoint: verify, find the linked server, run the command.

The body names the application; its public key (on the linked DiscordGuild rows)
verifies the signature before anything else in the body is trusted.
"""

import logging

from django.http import JsonResponse

from orders.discord import invocation, replies, verify
from orders.discord.commands import COMMANDS
from orders.discord.selectors import discord_guild_linked, discord_public_key
from performile.errors import error_body
from performile.webhooks import (
    BadSignature,
    MalformedPayload,
    parse_json_object,
    webhook_endpoint,
)

logger = logging.getLogger(__name__)

PING = 1
APPLICATION_COMMAND = 2
PONG = 1


@webhook_endpoint
def interactions_view(request):
    """POST /integrations/discord/interactions. The shared webhook door: a body
    that is not a JSON object is 400, a signature that does not verify 401 (both
    JSON), before anything in the body is acted on."""
    body = request.body
    payload = parse_json_object(body)
    application_id = str(payload.get("application_id") or "")
    key = discord_public_key(application_id=application_id)
    if key is None:
        raise BadSignature("No linked Discord application has that id.")
    verify.verify(
        public_key=key,
        signature=request.headers.get("X-Signature-Ed25519", ""),
        timestamp=request.headers.get("X-Signature-Timestamp", ""),
        body=body,
    )

    kind = payload.get("type")
    if kind == PING:
        return JsonResponse({"type": PONG})
    if kind != APPLICATION_COMMAND:
        return JsonResponse(
            error_body("unsupported", f"Interaction type {kind!r} is not handled."),
            status=400,
        )
    guild = discord_guild_linked(
        guild_id=str(payload.get("guild_id") or ""), application_id=application_id
    )
    if guild is None:
        return replies.error("❌ This server is not linked to a store")
    try:
        asked = invocation.from_payload(payload, guild)
    except ValueError as exc:
        raise MalformedPayload(str(exc)) from exc
    command = COMMANDS.get(asked.command)
    if command is None:
        return replies.error(f"❌ Unknown command /{asked.command}")
    return command(asked)
