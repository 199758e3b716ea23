"""/trackorder's use case: the caller's order, if they may track it.

Without an id, the caller's most recent order in the store; with one, that order
if the caller may track it (`access.trackable_orders`). Anything else, whether the
order is someone else's, of another store or does not exist, is refused the same
`❌ Order ID not found`. Reading is audited (performile.audit), not an OrderEvent:
it does not change the order.
"""

from orders.discord import people
from orders.discord.invocation import Invocation
from orders.discord.refusals import NOT_FOUND, Refused
from orders.discord.selectors import discord_order_to_track
from orders.models import Order
from performile.audit import audit


def discord_order_track(*, asked: Invocation, order_number: str) -> Order:
    """The order (its assigned staff loaded), audited; Refused when not found."""
    order = discord_order_to_track(asked=asked, order_number=order_number)
    audit(
        "discord.trackorder",
        actor=people.staff_for(asked.store.merchant, asked.caller.id),
        actor_label=asked.caller.label,
        target=order,
        order_id=order.pk if order is not None else None,
        merchant_id=asked.store.merchant_id,
        order_number=order_number,
        found=order is not None,
        discord_user_id=asked.caller.id,
        guild_id=asked.guild.guild_id,
    )
    if order is None:
        raise Refused(NOT_FOUND)
    return order
