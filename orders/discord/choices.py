"""The fixed choices of the slash commands, as (value, name) pairs: the command
definitions offer them, and the commands accept the value or the name.

STATUSES is what /updateorder (and /listorders) offer: the Discord desk sells
services, so the service flow plus on hold and cancelled. The physical flow
(pending, confirmed, shipped, delivered) is left out on purpose: those orders are
moved by their shipments and in the Orders view, and Discord shows at most 25
choices anyway.
"""

from orders.state_machine import OrderStatus

PAYMENT_METHODS = (
    ("stripe", "Stripe"),
    ("paypal", "PayPal"),
    ("bank_transfer", "Bank transfer"),
    ("crypto", "Crypto"),
    ("other", "Other"),
)

STATUSES = tuple(
    (status.value, str(status.label))  # Discord's choices: the staff's, English
    for status in (
        OrderStatus.PAYMENT_VERIFIED,
        OrderStatus.IN_PROGRESS,
        OrderStatus.IN_REVIEW,
        OrderStatus.COMPLETE,
        OrderStatus.ON_HOLD,
        OrderStatus.CANCELLED,
    )
)


def as_discord(choices) -> list[dict]:
    """The choices as a command option's `choices` (Discord's format)."""
    return [{"name": name, "value": value} for value, name in choices]


def match(choices, text) -> str | None:
    """The value `text` names (the value itself or its name, in any case), or None."""
    wanted = " ".join(str(text or "").replace("_", " ").split()).casefold()
    for value, name in choices:
        if wanted in (value.replace("_", " ").casefold(), name.casefold()):
            return value
    return None


def name_of(choices, value: str) -> str:
    return dict(choices).get(value, value)
