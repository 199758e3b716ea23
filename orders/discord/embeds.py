"""How an order looks on Discord: status colours and emoji, the progress bar, the
order embed. Shared by every command and DM that shows an order.

- `STATUS_STYLE[status]`: the status's `StatusStyle` (emoji, colour, label in the
  guide's words); `status_text(status)` is "emoji label".
- `progress_bar(order)`: "🟩🟩⬜⬜ In Progress (2/4)" along the order's flow;
  On Hold and Cancelled are shown as such, not as a step.
- `order_embed(order)`: the embed /trackorder answers with (and DMs may reuse).

Only what the order's customer may see goes in: the guide's fields (status,
progress, service, payment, assigned staff, notes) and tracking. Nothing internal
(event data, supplier, addresses, who changed what).
"""

from dataclasses import dataclass

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from orders.discord import choices
from orders.models import Membership, Order
from orders.state_machine import SERVICE_FLOW, OrderStatus, flow_of
from orders.templatetags.orders_ui import money, web_url
from orders.tracking import TrackingStatus

# Discord's limits for an embed (docs/providers.md#discord).
TITLE_MAX = 256
FIELD_MAX = 1024
DESCRIPTION_MAX = 4096
FIELDS_MAX = 25

S = OrderStatus


@dataclass(frozen=True)
class StatusStyle:
    emoji: str
    colour: int  # an embed's `color`, 0xRRGGBB
    label: str  # the guide's capitalisation ("In Progress"), lazily translated


STATUS_STYLE: dict[str, StatusStyle] = {
    # The guide's service flow and its two extra statuses.
    S.PAYMENT_VERIFIED: StatusStyle("💳", 0x3498DB, _("Payment Verified")),
    S.IN_PROGRESS: StatusStyle("🔄", 0xF1C40F, _("In Progress")),
    S.IN_REVIEW: StatusStyle("🔍", 0x9B59B6, _("In Review")),
    S.COMPLETE: StatusStyle("✅", 0x2ECC71, _("Complete")),
    S.ON_HOLD: StatusStyle("⏸️", 0xE67E22, _("On Hold")),
    S.CANCELLED: StatusStyle("❌", 0xE74C3C, _("Cancelled")),
    # The physical flow, and orders not placed yet.
    S.DRAFT: StatusStyle("📝", 0x607D8B, _("Draft")),
    S.PENDING: StatusStyle("🕒", 0x95A5A6, _("Pending")),
    S.CONFIRMED: StatusStyle("📋", 0x1ABC9C, _("Confirmed")),
    S.SHIPPED: StatusStyle("🚚", 0x5865F2, _("Shipped")),
    S.DELIVERED: StatusStyle("📦", 0x27AE60, _("Delivered")),
}
_UNKNOWN = StatusStyle("❔", 0x95A5A6, "")


DONE, TODO = "🟩", "⬜"


def style(status: str) -> StatusStyle:
    found = STATUS_STYLE.get(status)
    if found is not None:  # the label in the active language, now
        return StatusStyle(found.emoji, found.colour, str(found.label))
    return StatusStyle(_UNKNOWN.emoji, _UNKNOWN.colour, str(status))


def status_text(status: str) -> str:
    """ "🔄 In Progress"."""
    found = style(status)
    return f"{found.emoji} {found.label}"


def progress_bar(order: Order) -> str:
    """ "🟩🟩⬜⬜ In Progress (2/4)"; "⏸️ On Hold", "❌ Cancelled" off the flow."""
    if order.status in (S.ON_HOLD, S.CANCELLED):
        return status_text(order.status)
    flow = flow_of(order)
    reached = flow.index(order.status) + 1 if order.status in flow else 0
    if order.status == S.COMPLETE:
        reached = len(flow)
    bar = DONE * reached + TODO * (len(flow) - reached)
    return f"{bar} {style(order.status).label} ({reached}/{len(flow)})"


def payment_text(order: Order) -> str:
    """ "Stripe · $150.00"."""
    method = (order.payment_method or "").strip()
    method = choices.name_of(choices.PAYMENT_METHODS, method.lower()) if method else ""
    amount = money(order.amount, order.currency)
    return " · ".join(part for part in (method, amount) if part) or "—"


def staff_text(order: Order) -> str:
    """A mention when the staff member has linked their Discord id, else a name."""
    user = order.assigned_staff
    if user is None:
        return gettext("Unassigned")
    discord_id = (
        Membership.objects.filter(user=user, merchant_id=order.merchant_id)
        .exclude(discord_user_id="")
        .values_list("discord_user_id", flat=True)
        .first()
    )
    if discord_id:
        return f"<@{discord_id}>"
    return user.get_full_name() or user.get_username()


def latest_note(order: Order) -> str:
    """The order's notes: the guide's one notes text, which /addorder sets and
    /updateorder rewrites. Never a note typed with a change in the Orders view: the
    platform keeps those for its people (the portal never shows them either)."""
    return (order.notes or "").strip()


def tracking_text(order: Order) -> str:
    """ "PostNord 123456789 · In transit · https://…"."""
    if not order.tracking_number:
        return ""
    parts = [f"{order.courier} `{order.tracking_number}`".strip()]
    if order.tracking_status:
        parts.append(str(TrackingStatus(order.tracking_status).label))
    link = web_url(order.tracking_url)
    if link:
        label = gettext("Track parcel")
        parts.append(f"[{label}]({link})")
    return " · ".join(parts)


def timestamp(value) -> str:
    """Discord's timestamp markup: each reader sees it in their own time zone."""
    if value is None:
        return "—"
    seconds = int(value.timestamp())
    return f"<t:{seconds}:f> (<t:{seconds}:R>)"


def clip(text: str, limit: int = FIELD_MAX) -> str:
    text = str(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def field(name: str, value: str, *, inline: bool = False) -> dict:
    return {"name": clip(name, 256), "value": clip(value or "—"), "inline": inline}


def order_embed(order: Order) -> dict:
    """The order as a Discord embed: title, colour by status, the guide's fields.

    Reads the order's assigned staff, its newest customer note and its staff
    member's Discord link (three small queries; select_related("assigned_staff")
    saves one). In the active language: a customer's, when they are who reads it
    (`orders.languages.writing_to`)."""
    _ = gettext
    fields = [field(_("Status"), status_text(order.status), inline=True)]
    if flow_of(order) == SERVICE_FLOW:
        fields.append(field(_("Progress"), progress_bar(order)))
    if order.service:
        fields.append(field(_("Service"), order.service, inline=True))
    fields.append(field(_("Payment"), payment_text(order), inline=True))
    fields.append(field(_("Assigned staff"), staff_text(order), inline=True))
    note = latest_note(order)
    if note:
        fields.append(field(_("Latest notes"), note))
    tracking = tracking_text(order)
    if tracking:
        fields.append(field(_("Tracking"), tracking))
    fields.append(field(_("Placed"), timestamp(order.placed_at), inline=True))
    fields.append(field(_("Last update"), timestamp(order.updated_at), inline=True))
    return {
        "title": clip(
            _("Order %(number)s") % {"number": order.order_number}, TITLE_MAX
        ),
        "color": style(order.status).colour,
        "fields": fields[:FIELDS_MAX],
    }
