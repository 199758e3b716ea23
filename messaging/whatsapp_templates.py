"""WhatsApp's 24-hour window and the template messages that may go outside it.

WhatsApp's Cloud API takes free text only within 24 hours of the customer's last
message; after that only a template approved in Meta's WhatsApp Manager may go
(error 131047 otherwise). A merchant registers its templates (WhatsAppTemplate):
an `order_update` one for status and shipping notifications, a `reply_waiting` one
for a staff reply. Here: whether the window is open, which template fits an order
(the customer's language, else the store's, else English), and what goes out:
the Cloud API's template data for the outbox row, and the text the customer reads
for the thread and the history. docs/messaging-channels.md, "Template messages".
"""

import re
from datetime import datetime, timedelta

from django.utils import timezone

from messaging import canned
from messaging.models import Message, Thread, WhatsAppTemplate
from orders.languages import DEFAULT, language_of, order_language, writing_to
from orders.models import Customer, Order

Purpose = WhatsAppTemplate.Purpose
WINDOW = timedelta(hours=24)

# Meta's language codes a template may be approved in, and our language of each.
META_LANGUAGES = {
    "en": ("en", "English"),
    "en_GB": ("en", "English (UK)"),
    "en_US": ("en", "English (US)"),
    "sv": ("sv", "Swedish"),
    "nb": ("nb", "Norwegian (bokmål)"),
    "da": ("da", "Danish"),
}
# The variables a template's {{1}}, {{2}}... may be filled with, per purpose.
REPLY_TEXT = {"reply_text": "The staff member's reply"}
UPDATE = {"update": "What happened, in one line (“Your order #1042 is on its way”)"}
VARIABLES = {
    Purpose.ORDER_UPDATE: {**canned.VARIABLES, **UPDATE},
    Purpose.REPLY_WAITING: {**canned.VARIABLES, **REPLY_TEXT},
}
# Meta refuses a parameter with a line break, a tab or more than four spaces in a
# row (error 132018); a body is at most 1,024 characters all told.
PARAMETER_LIMIT = 700
_BREAKS = re.compile(r"\s*[\n\r\t]+\s*| {5,}")
PLACEHOLDER = re.compile(r"\{\{\s*(\d+)\s*\}\}")
NAME = re.compile(r"^[a-z0-9_]{1,512}$")


def window_open(
    *, customer: Customer | None, thread: Thread | None = None, at: datetime = None
) -> bool:
    """Has the customer written on WhatsApp (as themselves, or on this thread)
    within the 24 hours before `at` (now by default)?"""
    since = (at or timezone.now()) - WINDOW
    messages = Message.objects.filter(
        channel=Message.Channel.WHATSAPP,
        direction=Message.Direction.INBOUND,
        created_at__gte=since,
    )
    if customer is not None and messages.filter(author_customer=customer).exists():
        return True
    return thread is not None and messages.filter(thread=thread).exists()


def template_for(order: Order, purpose: str) -> WhatsAppTemplate | None:
    """The merchant's active template for `purpose` in the order's customer's
    language, else in the store's, else in English; None when it has none."""
    wanted = [order_language(order), language_of(store=order.store), DEFAULT]
    found = {
        template.language: template
        for template in WhatsAppTemplate.objects.filter(
            merchant_id=order.merchant_id,
            purpose=purpose,
            active=True,
            language__in=wanted,
        )
    }
    return next((found[code] for code in wanted if code in found), None)


def outgoing(
    template: WhatsAppTemplate, order: Order, extra: dict[str, str]
) -> tuple[dict, str]:
    """(the outbox row's `template`, the text the customer reads) for the order,
    its variables rendered in the template's language; `extra` adds values
    (update, reply_text)."""
    with writing_to(template.language):
        values = {**canned.order_values(order), **extra}
        parameters = [
            parameter_text(values.get(name, "")) for name in template.parameters
        ]
    data = {
        "name": template.name,
        "language": template.language_code,
        "parameters": parameters,
    }
    return data, preview(template.body, parameters)


def parameter_text(value: str) -> str:
    """A value as Meta takes a parameter: on one line, not empty, not too long."""
    text = _BREAKS.sub(" ", str(value or "")).strip()
    if len(text) > PARAMETER_LIMIT:
        text = text[: PARAMETER_LIMIT - 1].rstrip() + "…"
    return text or "-"


def preview(body: str, parameters: list[str]) -> str:
    """The approved body with its placeholders filled."""

    def fill(found):
        index = int(found.group(1)) - 1
        return parameters[index] if 0 <= index < len(parameters) else found.group(0)

    return PLACEHOLDER.sub(fill, body)


def template_problems(
    *, purpose: str, name: str, body: str, parameters: list[str]
) -> dict[str, list[str]]:
    """What is wrong with a template before it is saved, by field."""
    errors = {}
    if not NAME.match(name):
        errors["name"] = [
            "The name as in WhatsApp Manager: lowercase letters, digits and"
            " underscores (order_update_v2)."
        ]
    known = VARIABLES.get(purpose, {})
    if unknown := [p for p in parameters if p not in known]:
        errors["parameters"] = [
            "Unknown: "
            + ", ".join(unknown)
            + ". The variables for this purpose are "
            + ", ".join(known)
            + "."
        ]
    numbers = sorted({int(n) for n in PLACEHOLDER.findall(body)})
    if numbers != list(range(1, len(numbers) + 1)):
        errors["body"] = ["Number the placeholders {{1}}, {{2}}... without gaps."]
    elif len(numbers) != len(parameters):
        errors["parameters"] = errors.get("parameters", []) + [
            f"The body has {len(numbers)} placeholders and {len(parameters)}"
            " parameters are named: name one variable for each, in order."
        ]
    return errors
