"""/listorders [status] [service] [limit]: the store's newest orders, for members
with Manage Server; only they see the answer.

`status` is a status code ("in_progress") or its label in any case ("In
Progress"); `service` matches a substring of the service, in any case; `limit` is
10 by default, at most 25 (more is cut to 25 and the footer says so; zero,
negative or not a number is refused). One embed, one line per order, and a footer
"N of M matching" (M up to 1,000, then "1,000+"). Two queries whatever the limit
(the page, one capped COUNT), served by the (store, -id) and (merchant, status, -id)
indexes, and a trigram index for the service substring. Audited like /trackorder.
"""

from orders.discord import access, people, replies
from orders.discord.embeds import DESCRIPTION_MAX, STATUS_STYLE, clip, style
from orders.models import Order
from orders.state_machine import OrderStatus
from orders.templatetags.orders_ui import money
from performile.audit import audit

DEFAULT_LIMIT = 10
MAX_LIMIT = 25
COUNT_CAP = 1000


class BadOption(ValueError):
    pass


def listorders(asked):
    staff = people.staff_for(asked.store.merchant, asked.caller.id)
    if not asked.may_manage:
        _audit(asked, staff, allowed=False)
        return replies.error(replies.PERMISSION_DENIED)
    try:
        status = parse_status(asked.option("status"))
        limit, clamped = parse_limit(asked.option("limit"))
    except BadOption as exc:
        return replies.error(f"❌ {exc}")
    service = str(asked.option("service") or "").strip()
    orders = access.store_orders(asked)
    if status:
        orders = orders.filter(status=status)
    if service:
        orders = orders.filter(service__icontains=service)
    page = list(
        orders.select_related("customer").only(*LISTED_FIELDS).order_by("-id")[:limit]
    )
    # Counting every match costs a scan of the store's orders; past COUNT_CAP the
    # footer says "1,000+" (docs/bench.md, discord).
    total = (
        orders.order_by()[: COUNT_CAP + 1].count() if len(page) == limit else len(page)
    )
    _audit(asked, staff, status=status, service=service, limit=limit, shown=len(page))
    return replies.message(
        embeds=[
            list_embed(page, total, status=status, service=service, clamped=clamped)
        ]
    )


LISTED_FIELDS = (
    "order_number",
    "service",
    "amount",
    "currency",
    "status",
    "customer__name",
    "customer__discord_user_id",
)


def parse_status(value) -> str:
    """The status code for a code or a label ("In Progress", "in-progress")."""
    text = str(value or "").strip()
    if not text:
        return ""
    key = text.lower().replace("-", " ").replace("_", " ")
    for status in OrderStatus:
        if key in (status.value.replace("_", " "), status.label.lower()):
            return status.value
    known = ", ".join(style.label for style in STATUS_STYLE.values())
    raise BadOption(f"Unknown status “{clip(text, 50)}”: use one of {known}.")


def parse_limit(value) -> tuple[int, bool]:
    """(limit, whether it was cut to the maximum)."""
    if value in (None, ""):
        return DEFAULT_LIMIT, False
    try:
        limit = int(str(value).strip())
    except ValueError:
        limit = 0
    if limit < 1:
        raise BadOption(f"limit must be a whole number from 1 to {MAX_LIMIT}.")
    return min(limit, MAX_LIMIT), limit > MAX_LIMIT


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
    counted = f"{COUNT_CAP:,}+" if total > COUNT_CAP else f"{total:,}"
    footer = f"{len(lines)} of {counted} matching"
    if clamped:
        footer += f" · at most {MAX_LIMIT} are listed"
    return {
        "title": clip(f"Orders{': ' + named if named else ''}", 256),
        "description": "\n".join(lines) or "No orders match.",
        "color": style(status).colour if status else 0x5865F2,
        "footer": {"text": footer},
    }


def _audit(asked, staff, *, allowed=True, **filters):
    audit(
        "discord.listorders",
        actor=staff,
        actor_label=asked.caller.label,
        merchant_id=asked.store.merchant_id,
        allowed=allowed,
        discord_user_id=asked.caller.id,
        guild_id=asked.guild.guild_id,
        **filters,
    )
