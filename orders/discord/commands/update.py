"""/updateorder order_id status [notes] [assigned_staff]

An admin moves an order through the state machine (or, at the same status, rewrites
its notes), optionally assigns it to a staff member linked by their Discord id, and the
customer gets a DM about it. All of it or none of it.
"""

from django.db import transaction

from orders.discord import access, choices, people, replies
from orders.discord.dms import send_dm
from orders.discord.embeds import order_embed, progress_bar, status_text
from orders.discord.invocation import Invocation
from orders.models import Order
from orders.services import order_assign, order_change_status, order_update
from performile.errors import ApplicationError


class Unlinked(ApplicationError):
    pass


def updateorder(asked: Invocation):
    if not asked.may_manage:
        return replies.error(replies.PERMISSION_DENIED)
    order_number = str(asked.option("order_id") or "").strip()
    order = (
        access.by_number(access.store_orders(asked), order_number)
        .select_related("customer", "store__merchant")
        .first()
    )
    if order is None:
        return replies.error(replies.NOT_FOUND)
    status = choices.match(choices.STATUSES, asked.option("status"))
    if status is None:
        names = ", ".join(name for _, name in choices.STATUSES)
        return replies.error(replies.UPDATE_FAILED, f"choose a status: {names}.")
    notes = str(asked.option("notes") or "").strip()
    try:
        changed = _apply(asked, order, status, notes)
    except ApplicationError as exc:
        return replies.error(replies.UPDATE_FAILED, exc.message)
    if not changed:
        return replies.message(
            f"Order **{order.order_number}** is already {status_text(status)};"
            " nothing changed.",
            embeds=_embeds(order),
        )
    dm = "📩 The customer was sent a DM." if _dm_recipient(order) else ""
    return replies.message(
        "\n".join(
            line for line in (f"✅ Order **{order.order_number}** updated.", dm) if line
        ),
        embeds=_embeds(order),
    )


def _apply(asked: Invocation, order: Order, status: str, notes: str) -> list[str]:
    """Write the update; returns what changed (for the DM), empty when nothing."""
    merchant = asked.store.merchant
    actor = people.staff_for(merchant, asked.caller.id)
    who = {"actor": actor, "actor_label": asked.caller.label}
    assignee_user = asked.user_option("assigned_staff")
    assignee = None
    if assignee_user is not None:
        assignee = people.staff_for(merchant, assignee_user.id)
        if assignee is None:
            raise Unlinked(f"{assignee_user.mention} is not linked to a staff member")
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
            send_dm(
                guild=asked.guild,
                user_id=recipient,
                content=_update_text(order, changed, notes),
                embeds=_embeds(order),
                order_id=order.pk,
            )
    return changed


def _dm_recipient(order: Order) -> str:
    return order.customer.discord_user_id if order.customer_id else ""


def _update_text(order: Order, changed: list[str], notes: str) -> str:
    lines = [
        f"📦 **Update on your order {order.order_number}**",
        f"Status: **{status_text(order.status)}**",
        progress_bar(order),
    ]
    if notes:
        lines.append(f"Notes: {notes}")
    if "assigned_staff" in changed and order.assigned_staff:
        lines.append(f"Assigned to: {people.display_name(order.assigned_staff)}")
    lines.append(f"Track it with `/trackorder order_id:{order.order_number}`.")
    return "\n".join(lines)


def _embeds(order: Order) -> list[dict]:
    return [order_embed(order)]
