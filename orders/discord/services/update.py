"""/updateorder's use case: an admin moves an order through the state machine (or,
at the same status, rewrites its notes), optionally assigns it to a staff member
linked by their Discord id, and the customer gets a DM about it. All of it or none
of it.
"""

from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from orders.discord import choices, people
from orders.discord.dms import send_dm
from orders.discord.embeds import order_embed, progress_bar, status_text
from orders.discord.invocation import DiscordUser, Invocation
from orders.discord.refusals import (
    NOT_FOUND,
    PERMISSION_DENIED,
    UPDATE_FAILED,
    Refused,
)
from orders.discord.selectors import discord_order_to_update
from orders.languages import order_language, writing_to
from orders.models import Order
from orders.services import order_assign, order_change_status, order_update
from performile.errors import ApplicationError


class Unlinked(ApplicationError):
    pass


@dataclass(frozen=True)
class UpdateOrderOptions:
    """The command's options as given: the status as chosen or typed (the service
    checks it), the strings trimmed."""

    order_number: str
    status: object
    notes: str
    assignee: DiscordUser | None


@dataclass(frozen=True)
class OrderUpdated:
    order: Order
    status: str  # the status asked for (the order's status now)
    changed: list[str]  # "status", "notes", "assigned_staff"; empty: nothing
    dm_sent: bool  # whether the customer was sent a DM about it


def discord_order_update(
    *, asked: Invocation, options: UpdateOrderOptions
) -> OrderUpdated:
    """Update the order, or raise Refused (nothing written): not Manage Server, no
    such order in the store, an unknown status, a move the state machine refuses,
    an assignee who is no linked staff member."""
    if not asked.may_manage:
        raise Refused(PERMISSION_DENIED)
    order = discord_order_to_update(asked=asked, order_number=options.order_number)
    if order is None:
        raise Refused(NOT_FOUND)
    status = choices.match(choices.STATUSES, options.status)
    if status is None:
        names = ", ".join(name for _, name in choices.STATUSES)
        raise Refused(UPDATE_FAILED, f"choose a status: {names}.")
    try:
        changed = _apply(asked, order, status, options)
    except ApplicationError as exc:
        raise Refused(UPDATE_FAILED, exc.message) from exc
    return OrderUpdated(
        order=order,
        status=status,
        changed=changed,
        dm_sent=bool(changed and _dm_recipient(order)),
    )


def _apply(
    asked: Invocation, order: Order, status: str, options: UpdateOrderOptions
) -> list[str]:
    """Write the update; returns what changed (for the DM), empty when nothing."""
    merchant = asked.store.merchant
    notes = options.notes
    actor = people.staff_for(merchant, asked.caller.id)
    who = {"actor": actor, "actor_label": asked.caller.label}
    assignee = None
    if options.assignee is not None:
        assignee = people.staff_for(merchant, options.assignee.id)
        if assignee is None:
            raise Unlinked(
                f"{options.assignee.mention} is not linked to a staff member"
            )
    changed = []
    with transaction.atomic():
        moved = status != order.status
        if moved:
            order_change_status(order=order, to=status, note=notes, **who)
            changed.append("status")
        # The guide keeps one notes text per order, which /updateorder rewrites and
        # /trackorder shows (the timeline has the note once, on the change).
        if notes and order_update(
            order=order, notes=notes, note="" if moved else notes, **who
        ):
            changed.append("notes")
        if assignee is not None and assignee.pk != order.assigned_staff_id:
            order_assign(order=order, assigned_staff=assignee, **who)
            changed.append("assigned_staff")
        recipient = _dm_recipient(order)
        if changed and recipient:
            with writing_to(order_language(order)):
                send_dm(
                    guild=asked.guild,
                    user_id=recipient,
                    content=_update_text(order, changed, notes),
                    embeds=[order_embed(order)],
                    order_id=order.pk,
                )
    return changed


def _dm_recipient(order: Order) -> str:
    return order.customer.discord_user_id if order.customer_id else ""


def _update_text(order: Order, changed: list[str], notes: str) -> str:
    """The customer's DM, in the active language."""
    number = {"number": order.order_number}
    lines = [
        "📦 **" + _("Update on your order %(number)s") % number + "**",
        _("Status: %(status)s") % {"status": f"**{status_text(order.status)}**"},
        progress_bar(order),
    ]
    if notes:
        lines.append(_("Notes: %(notes)s") % {"notes": notes})
    if "assigned_staff" in changed and order.assigned_staff:
        name = people.display_name(order.assigned_staff)
        lines.append(_("Assigned to: %(name)s") % {"name": name})
    lines.append(_("Track it with `/trackorder order_id:%(number)s`.") % number)
    return "\n".join(lines)
