"""Direct messages and roles on Discord, through the outbox (channel "discord").

`send_dm` and `grant_role` queue the work in the caller's transaction; the sender
(`orders.discord.sender`) calls Discord's REST API afterwards, with retries. What the
sender needs beyond the recipient (a Discord user id) travels in the message's
headers: the guild (whose bot token is used) and the kind of call.
"""

import json

from performile import outbox
from performile.models import OutboxMessage

DM = "dm"
ROLE = "role"


def send_dm(
    *, guild, user_id: str, content: str, embeds: list | None = None, order_id=None
) -> OutboxMessage:
    """Queue a DM to the Discord user `user_id` from the guild's bot."""
    return outbox.enqueue(
        channel=OutboxMessage.Channel.DISCORD,
        recipient=str(user_id),
        body=json.dumps({"content": content, "embeds": embeds or []}),
        headers={"kind": DM, "guild_id": guild.guild_id},
        order_id=order_id,
    )


def grant_role(*, guild, user_id: str, role_id: str, order_id=None) -> OutboxMessage:
    """Queue giving the member `user_id` the role `role_id` in the guild."""
    return outbox.enqueue(
        channel=OutboxMessage.Channel.DISCORD,
        recipient=str(user_id),
        body=f"Role {role_id}",
        headers={"kind": ROLE, "guild_id": guild.guild_id, "role_id": role_id},
        order_id=order_id,
    )
