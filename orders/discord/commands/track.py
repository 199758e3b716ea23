"""/trackorder [order_id]: the caller's order as an embed, only they see it.

Without an id, the caller's most recent order in the store; with one, that order
if the caller may track it (`access.trackable_orders`). Anything else, whether the
order is someone else's, of another store or does not exist, answers the same
`❌ Order ID not found`. Reading is audited (performile.audit), not an OrderEvent:
it does not change the order.
"""

from orders.discord import access, people, replies
from orders.discord.embeds import order_embed
from performile.audit import audit


def trackorder(asked):
    wanted = str(asked.option("order_id") or "").strip()
    if wanted:
        orders = access.by_number(access.trackable_orders(asked), wanted)
    else:
        orders = access.customer_orders(asked).order_by("-id")
    order = orders.select_related("assigned_staff").first()
    audit(
        "discord.trackorder",
        actor=people.staff_for(asked.store.merchant, asked.caller.id),
        actor_label=asked.caller.label,
        target=order,
        order_id=order.pk if order is not None else None,
        merchant_id=asked.store.merchant_id,
        order_number=wanted,
        found=order is not None,
        discord_user_id=asked.caller.id,
        guild_id=asked.guild.guild_id,
    )
    if order is None:
        return replies.error(replies.NOT_FOUND)
    return replies.message(embeds=[order_embed(order)])
