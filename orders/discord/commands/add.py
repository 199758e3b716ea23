"""/addorder user order_id service payment_method amount [notes]

An admin records a paid order; the use case is
`orders.discord.services.discord_order_add`. The answer: the new order's embed and
a line saying the customer was sent a DM.
"""

from orders.discord import replies
from orders.discord.embeds import order_embed
from orders.discord.invocation import Invocation
from orders.discord.refusals import Refused
from orders.discord.services import AddOrderOptions, discord_order_add


def addorder(asked: Invocation):
    options = AddOrderOptions(
        customer=asked.user_option("user"),
        order_number=str(asked.option("order_id") or "").strip(),
        service=" ".join(str(asked.option("service") or "").split()),
        payment_method=asked.option("payment_method"),
        amount=asked.option("amount"),
        notes=str(asked.option("notes") or "").strip(),
    )
    try:
        order = discord_order_add(asked=asked, options=options)
    except Refused as exc:
        return replies.refused(exc)
    return replies.message(
        f"✅ Order **{order.order_number}** added for {options.customer.mention}.\n"
        f"📩 The customer was sent a DM with the order ID and how to track it.",
        embeds=[order_embed(order)],
    )
