"""/listorders [status] [service] [limit]: the store's newest orders, for members
with Manage Server; only they see the answer.

The use case (who may, the options' checks, the page and its count, the audit) is
`orders.discord.services.discord_orders_list`. The answer is one embed, one line
per order, and a footer "N of M matching" (M up to 1,000, then "1,000+").
"""

from orders.discord import replies, selectors
from orders.discord.embeds import DESCRIPTION_MAX, clip, style
from orders.discord.invocation import Invocation
from orders.discord.refusals import Refused
from orders.discord.services import ListOrdersOptions, discord_orders_list
from orders.discord.services.listing import MAX_LIMIT
from orders.models import Order
from orders.templatetags.orders_ui import money


def listorders(asked: Invocation):
    options = ListOrdersOptions(
        status=asked.option("status"),
        service=str(asked.option("service") or "").strip(),
        limit=asked.option("limit"),
    )
    try:
        listed = discord_orders_list(asked=asked, options=options)
    except Refused as exc:
        return replies.refused(exc)
    return replies.message(
        embeds=[
            list_embed(
                listed.orders,
                listed.total,
                status=listed.status,
                service=listed.service,
                clamped=listed.clamped,
            )
        ]
    )


def order_line(order: Order) -> str:
    """ "🔄 `ORD-1` · Bot Development · €150.00 · Kai · In Progress"."""
    found = style(order.status)
    customer = order.customer
    if customer is None:
        who = "—"
    else:
        who = customer.name or (
            f"<@{customer.discord_user_id}>" if customer.discord_user_id else "—"
        )
    parts = [
        f"{found.emoji} `{clip(order.order_number, 64)}`",
        clip(order.service, 60) or "—",
        money(order.amount, order.currency),
        clip(who, 60),
        found.label,
    ]
    return " · ".join(parts)


def list_embed(orders, total: int, *, status="", service="", clamped=False) -> dict:
    lines, used = [], 0
    for order in orders:
        line = order_line(order)
        if used + len(line) + 1 > DESCRIPTION_MAX:
            break
        lines.append(line)
        used += len(line) + 1
    filters = [style(status).label if status else "", f"“{service}”" if service else ""]
    named = " · ".join(part for part in filters if part)
    cap = selectors.COUNT_CAP
    counted = f"{cap:,}+" if total > cap else f"{total:,}"
    footer = f"{len(lines)} of {counted} matching"
    if clamped:
        footer += f" · at most {MAX_LIMIT} are listed"
    return {
        "title": clip(f"Orders{': ' + named if named else ''}", 256),
        "description": "\n".join(lines) or "No orders match.",
        "color": style(status).colour if status else 0x5865F2,
        "footer": {"text": footer},
    }
