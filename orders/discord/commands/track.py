"""/trackorder [order_id]: the caller's order as an embed, only they see it.

The use case (who may track which order, the audit) is
`orders.discord.services.discord_order_track`. The answer is in the caller's
Discord language when we write in it, else the customer's (`caller_language`).
"""

from orders.discord import replies
from orders.discord.embeds import order_embed
from orders.discord.invocation import Invocation
from orders.discord.people import caller_language
from orders.discord.refusals import Refused
from orders.discord.services import discord_order_track
from orders.languages import writing_to


def trackorder(asked: Invocation):
    order_number = str(asked.option("order_id") or "").strip()
    with writing_to(caller_language(asked)):
        try:
            order = discord_order_track(asked=asked, order_number=order_number)
        except Refused as exc:
            return replies.refused(exc)
        return replies.message(embeds=[order_embed(order)])
