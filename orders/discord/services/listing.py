"""/listorders' use case: the store's newest orders, for members with Manage
Server.

`status` is a status code ("in_progress") or its label in any case ("In
Progress"); `service` matches a substring of the service, in any case; `limit` is
10 by default, at most 25 (more is cut to 25 and the answer says so; zero,
negative or not a number is refused). The page and its count come from
`orders.discord.selectors.discord_orders_page`. Audited like /trackorder, refusals
of Manage Server too.
"""

from dataclasses import dataclass

from orders.discord import people
from orders.discord.embeds import STATUS_STYLE, clip
from orders.discord.invocation import Invocation
from orders.discord.refusals import PERMISSION_DENIED, Refused
from orders.discord.selectors import discord_orders_page
from orders.models import Order
from orders.state_machine import OrderStatus
from performile.audit import audit

DEFAULT_LIMIT = 10
MAX_LIMIT = 25


class BadOption(ValueError):
    pass


@dataclass(frozen=True)
class ListOrdersOptions:
    """The command's options as given: status and limit as typed (the service
    checks them), the service substring trimmed."""

    status: object
    service: str
    limit: object


@dataclass(frozen=True)
class OrderList:
    orders: list[Order]  # the page, newest first
    total: int  # how many match, up to selectors.COUNT_CAP + 1
    status: str  # the status code filtered on, or ""
    service: str  # the service substring filtered on, or ""
    clamped: bool  # the limit asked for was cut to MAX_LIMIT


def discord_orders_list(*, asked: Invocation, options: ListOrdersOptions) -> OrderList:
    """The page, audited; Refused without Manage Server (audited as denied) or for
    a status or limit that does not check out."""
    staff = people.staff_for(asked.store.merchant, asked.caller.id)
    if not asked.may_manage:
        _audit(asked, staff, allowed=False)
        raise Refused(PERMISSION_DENIED)
    try:
        status = parse_status(options.status)
        limit, clamped = parse_limit(options.limit)
    except BadOption as exc:
        raise Refused(f"❌ {exc}") from exc
    service = options.service
    page, total = discord_orders_page(
        asked=asked, status=status, service=service, limit=limit
    )
    _audit(asked, staff, status=status, service=service, limit=limit, shown=len(page))
    return OrderList(
        orders=page, total=total, status=status, service=service, clamped=clamped
    )


def parse_status(value) -> str:
    """The status code for a code or a label ("In Progress", "in-progress")."""
    text = str(value or "").strip()
    if not text:
        return ""
    key = text.lower().replace("-", " ").replace("_", " ")
    for status in OrderStatus:
        if key in (status.value.replace("_", " "), str(status.label).lower()):
            return status.value
    known = ", ".join(str(style.label) for style in STATUS_STYLE.values())
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


def _audit(asked: Invocation, staff, *, allowed=True, **filters):
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
