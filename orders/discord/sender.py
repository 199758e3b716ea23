"""The outbox sender of channel "discord": DMs and roles queued by orders.discord.dms.

A DM opens (or finds) the DM channel with the user, then posts the message there;
the posted message's id is the provider id. A role is one PUT on the member. The
guild named in the message's headers supplies the bot token.
"""

import json
import logging

import requests

from orders.discord import dms, rest
from orders.models import DiscordGuild, Order
from orders.services import order_log
from performile import outbox
from performile.models import OutboxMessage
from performile.outbox import SendError

logger = logging.getLogger(__name__)


class Forbidden(SendError):
    """Discord answered 403: it will not do this, however often we ask."""

    def __init__(self, message: str):
        super().__init__(message, retryable=False)


def discord_ready() -> bool:
    """Configured when at least one Discord server is linked (each has its token)."""
    return DiscordGuild.objects.exists()


def send_discord(message: OutboxMessage) -> str:
    """Send a queued DM or role grant; returns the provider id or raises SendError."""
    guild_id = str(message.headers.get("guild_id") or "")
    guild = DiscordGuild.objects.filter(guild_id=guild_id).first()
    if guild is None:
        raise SendError(
            f"The Discord server {guild_id or '(none)'} is not linked to a store.",
            retryable=False,
        )
    kind = message.headers.get("kind")
    if kind == dms.DM:
        return _send_dm(message, guild)
    if kind == dms.ROLE:
        return _grant_role(message, guild)
    raise SendError(f"Unknown kind of Discord message: {kind!r}.", retryable=False)


def _send_dm(message: OutboxMessage, guild: DiscordGuild) -> str:
    try:
        body = json.loads(message.body)
    except ValueError as exc:
        raise SendError("The DM's body is not JSON.", retryable=False) from exc
    try:
        channel = _call(
            guild,
            "POST",
            "/users/@me/channels",
            {"recipient_id": message.recipient},
            doing="open a DM channel",
        )
        posted = _call(
            guild,
            "POST",
            f"/channels/{_id_of(channel, 'DM channel')}/messages",
            {
                "content": body.get("content", ""),
                "embeds": body.get("embeds") or [],
                # The text names people and roles; nobody is pinged by a DM.
                "allowed_mentions": {"parse": []},
            },
            doing="send the DM",
        )
    except Forbidden:
        if message.order_id:
            _note_dm_refused(message)
        raise
    try:
        return str(posted.json()["id"])
    except (ValueError, KeyError, TypeError):
        # Posted all the same: sending it again would DM the customer twice.
        logger.warning("Discord took DM %s without a message id", message.pk)
        return ""


def _grant_role(message: OutboxMessage, guild: DiscordGuild) -> str:
    role_id = str(message.headers.get("role_id") or "")
    if not role_id:
        raise SendError("The role message names no role.", retryable=False)
    try:
        _call(
            guild,
            "PUT",
            f"/guilds/{guild.guild_id}/members/{message.recipient}/roles/{role_id}",
            None,
            doing=f"give role {role_id}",
        )
    except Forbidden as exc:
        raise Forbidden(
            f"{exc.message} The bot needs the Manage Roles permission, and its own"
            " highest role must be above the role it gives."
        ) from exc
    return ""


def _call(guild, method, path, body, *, doing: str) -> requests.Response:
    try:
        response = rest.call(method, path, token=guild.bot_token, json=body)
    except requests.RequestException as exc:
        raise SendError(
            f"Discord could not be reached to {doing}: {exc}", retryable=True
        ) from exc
    if response.status_code < 400:
        return response
    status, text = response.status_code, rest.error_text(response)
    if status == 429:
        raise SendError(
            f"Discord rate-limited the bot ({text}).",
            retryable=True,
            retry_after=rest.retry_after(response),
        )
    if status >= 500:
        raise SendError(f"Discord failed to {doing} ({text}).", retryable=True)
    if status == 401:
        raise SendError(
            f"Discord refused the bot token of server {guild} ({text}): update it"
            " in the admin (Discord servers).",
            retryable=False,
        )
    if status == 403:
        raise Forbidden(f"Discord would not let the bot {doing} ({text}).")
    if status == 404:
        raise SendError(
            f"Discord could not {doing}: the user, member, channel or role does not"
            f" exist ({text}).",
            retryable=False,
        )
    raise SendError(f"Discord refused to {doing} ({text}).", retryable=False)


def _id_of(response: requests.Response, what: str) -> str:
    try:
        return str(response.json()["id"])
    except (ValueError, KeyError, TypeError) as exc:
        raise SendError(
            f"Discord's answer has no {what} id: {response.text[:200]}",
            retryable=True,
        ) from exc


def _note_dm_refused(message: OutboxMessage) -> None:
    order = Order.objects.filter(pk=message.order_id).first()
    if order is None:
        return
    order_log(
        order=order,
        note=f"Discord DM to <@{message.recipient}> could not be delivered: they do"
        " not accept DMs from this server.",
        actor_label="Discord",
    )


outbox.register_sender(OutboxMessage.Channel.DISCORD, send_discord, ready=discord_ready)
