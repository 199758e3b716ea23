"""The Discord desk's use cases, one per slash command: who may, what checks out,
what is read or written (through `orders.services`), audited, and the DMs queued.
A command (`orders.discord.commands`) reads its options, calls its one service and
answers with what it returns; a refusal is `orders.discord.refusals.Refused`, with
the text the caller reads.

By command: `track` (/trackorder), `listing` (/listorders), `add` (/addorder),
`update` (/updateorder). The reads they start from are `orders.discord.selectors`.
"""

from orders.discord.services.add import AddOrderOptions, discord_order_add
from orders.discord.services.listing import (
    ListOrdersOptions,
    OrderList,
    discord_orders_list,
)
from orders.discord.services.track import discord_order_track
from orders.discord.services.update import (
    OrderUpdated,
    UpdateOrderOptions,
    discord_order_update,
)

__all__ = [
    "AddOrderOptions",
    "ListOrdersOptions",
    "OrderList",
    "OrderUpdated",
    "UpdateOrderOptions",
    "discord_order_add",
    "discord_order_track",
    "discord_order_update",
    "discord_orders_list",
]
