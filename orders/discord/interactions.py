"""The Interactions endpoint: verify, find the linked server, run the command.

The body names the application; its public key (on the linked DiscordGuild rows)
verifies the signature before anything else in the body is trusted.
"""

import json
import logging

from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from orders.discord import invocation, replies, verify
from orders.discord.commands import COMMANDS
from orders.models import DiscordGuild
from performile.errors import error_body
from performile.webhooks import BadSignature

logger = logging.getLogger(__name__)

PING = 1
APPLICATION_COMMAND = 2
PONG = 1


@csrf_exempt
@require_POST
def interactions_view(request):
    body = request.body
    try:
        payload = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError):
        payload = None
    if not isinstance(payload, dict):
        payload = {}
    application_id = str(payload.get("application_id") or "")
    key = (
        DiscordGuild.objects.filter(application_id=application_id)
        .values_list("public_key", flat=True)
        .first()
        if application_id
        else None
    )
    try:
        if key is None:
            raise BadSignature("No linked Discord application has that id.")
        verify.verify(
            public_key=key,
            signature=request.headers.get("X-Signature-Ed25519", ""),
            timestamp=request.headers.get("X-Signature-Timestamp", ""),
            body=body,
        )
    except BadSignature as exc:
        return JsonResponse(error_body(exc.code, exc.message), status=401)

    kind = payload.get("type")
    if kind == PING:
        return JsonResponse({"type": PONG})
    if kind != APPLICATION_COMMAND:
        return JsonResponse(
            error_body("unsupported", f"Interaction type {kind!r} is not handled."),
            status=400,
        )
    guild = (
        DiscordGuild.objects.select_related("store__merchant")
        .filter(guild_id=str(payload.get("guild_id") or ""))
        .filter(application_id=application_id)
        .first()
    )
    if guild is None:
        return replies.error("❌ This server is not linked to a store")
    try:
        asked = invocation.from_payload(payload, guild)
    except ValueError as exc:
        return JsonResponse(error_body("malformed", str(exc)), status=400)
    command = COMMANDS.get(asked.command)
    if command is None:
        return replies.error(f"❌ Unknown command /{asked.command}")
    return command(asked)
