"""/updateorder order_id status [notes] [assigned_staff]

An admin moves an order on, rewrites its notes or assigns it; the use case is
`orders.discord.services.discord_order_update`. The answer: the order's embed, and
whether the customer was sent a DM (or that nothing changed).
"""

from orders.discord import replies
from orders.discord.embeds import order_embed, status_text
from orders.discord.invocation import Invocation
from orders.discord.refusals import Refused
from orders.discord.services import UpdateOrderOptions, discord_order_update


def updateorder(asked: Invocation):
    options = UpdateOrderOptions(
        order_number=str(asked.option("order_id") or "").strip(),
        status=asked.option("status"),
        notes=str(asked.option("notes") or "").strip(),
        assignee=asked.user_option("assigned_staff"),
    )
    try:
        updated = discord_order_update(asked=asked, options=options)
    except Refused as exc:
        return replies.refused(exc)
    order = updated.order
    if not updated.changed:
        return replies.message(
            f"Order **{order.order_number}** is already {status_text(updated.status)};"
            " nothing changed.",
            embeds=[order_embed(order)],
        )
    dm = "📩 The customer was sent a DM." if updated.dm_sent else ""
    return replies.message(
        "\n".join(
            line for line in (f"✅ Order **{order.order_number}** updated.", dm) if line
        ),
        embeds=[order_embed(order)],
    )
