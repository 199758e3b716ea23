"""The way out of a reply: the channels it may go by for a customer, and the
outbox row that carries it (email threaded on the customer's last email, SMS,
WhatsApp, or an in-app reply with its email notice)."""

from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext

from messaging import email_threads
from messaging.emails import customer_email, reply_letter
from messaging.models import Message, Thread, WhatsAppTemplate
from messaging.services.common import (
    Channel,
    Direction,
)
from messaging.services.reply_files import StoredFile
from messaging.whatsapp_templates import outgoing, template_for, window_open
from orders.languages import order_language, writing_to
from orders.models import Customer, Order
from performile import outbox
from performile.errors import ApplicationError
from performile.models import OutboxMessage

# Channels a reply can go out on, to the outbox channel that carries it.
REPLY_CHANNELS = {
    Channel.EMAIL: OutboxMessage.Channel.EMAIL,
    Channel.SMS: OutboxMessage.Channel.SMS,
    Channel.WHATSAPP: OutboxMessage.Channel.WHATSAPP,
}
SMS_LIMIT = 1600  # Twilio's limit for one message body


WINDOW_CLOSED = (
    "more than 24 hours have passed since the customer's last WhatsApp message"
)


@dataclass(frozen=True)
class ReplyChannel:
    """A channel a reply may go by, and why not when it cannot ("" when it can);
    `note` says how it goes when that is not plain (a WhatsApp template)."""

    channel: str
    label: str
    unavailable: str = ""
    note: str = ""


def reply_channels(order: Order, thread: Thread | None) -> list[ReplyChannel]:
    """The composer's channels for the order's customer: each provider channel
    with why a reply cannot go by it (not set up on this platform; no address or
    number for the customer, on file or written from), and in-app (the portal),
    which always can. WhatsApp outside its 24-hour window goes as the merchant's
    reply template, or not at all (one query for the window, one for the
    template)."""
    customer = order.customer
    found = []
    for channel, way_out in REPLY_CHANNELS.items():
        label = Channel(channel).label
        if not outbox.channel_ready(way_out):
            found.append(ReplyChannel(channel, label, "not set up on this platform"))
            continue
        on_file = customer is not None and (
            customer.email if channel == Channel.EMAIL else customer.phone
        )
        wrote = thread is not None and thread.last_inbound_channel == channel
        if not (on_file or wrote):
            reason = "no address or number for this customer"
            found.append(ReplyChannel(channel, label, reason))
        elif channel == Channel.WHATSAPP:
            found.append(_whatsapp_option(order, thread, label))
        else:
            found.append(ReplyChannel(channel, label))
    told = " + email" if order.customer_id and order.customer.email else ""
    found.append(ReplyChannel(Channel.IN_APP, f"In-app (portal{told})"))
    return found


def _whatsapp_option(order: Order, thread: Thread | None, label: str):
    if window_open(customer=order.customer, thread=thread):
        return ReplyChannel(Channel.WHATSAPP, label)
    template = _reply_template(order)
    if template is None:
        return ReplyChannel(
            Channel.WHATSAPP,
            label,
            f"{WINDOW_CLOSED} and there is no reply template"
            " (Settings → WhatsApp templates)",
        )
    return ReplyChannel(
        Channel.WHATSAPP,
        f"{label} (template: {template.name})",
        note=f"WhatsApp goes as the approved template “{template.name}”"
        f" ({template.language_code}) with your reply in it: {WINDOW_CLOSED}.",
    )


def _reply_template(order: Order) -> WhatsAppTemplate | None:
    return template_for(order, WhatsAppTemplate.Purpose.REPLY_WAITING)


def auto_channel(order: Order, thread: Thread | None) -> str:
    """Where an Auto reply goes: the channel the customer last wrote on, if a
    reply can go by it; else the portal for a customer who signs in; else email,
    SMS or WhatsApp, the first a reply can go by; else the portal."""
    can = [
        option.channel
        for option in reply_channels(order, thread)
        if not option.unavailable
    ]
    last = thread.last_inbound_channel if thread is not None else ""
    if last in can:
        return last
    customer = order.customer
    if customer is not None and customer.user_id:
        return Channel.IN_APP
    return can[0]  # in-app is always there, last


def reply_channel(thread: Thread, requested: str | None) -> str:
    if requested and requested != "auto":
        if requested not in (*REPLY_CHANNELS, Channel.IN_APP):
            raise ApplicationError(
                f"A reply cannot go by {requested}.",
                fields={"channel": ["Choose email, sms, whatsapp or in_app."]},
            )
        return requested
    return auto_channel(thread.order, thread)


def queue_reply(
    thread: Thread,
    channel: str,
    body: str,
    *,
    language: str = "",
    files: Sequence[StoredFile] = (),
) -> OutboxMessage | None:
    """The outbox row that carries the reply (none for an in-app reply to a
    customer without an email address: they read it in the portal). An email
    is in the store's branding, its own words in `language` (else the
    customer's), and carries the reply's `files`; a text message links to them
    in the portal."""
    customer = thread.order.customer
    if channel == Channel.IN_APP:
        return _queue_in_app_notice(thread, customer, body, language, files)
    if not outbox.channel_ready(REPLY_CHANNELS[channel]):
        raise ApplicationError(
            f"{Channel(channel).label} is not set up on this platform.",
            fields={"channel": ["Not configured."]},
        )
    recipient = _recipient(thread, channel, customer)
    if not recipient:
        raise ApplicationError(
            f"There is no {Channel(channel).label} contact for this customer.",
            fields={"channel": ["No address or number for this channel."]},
        )
    if channel == Channel.EMAIL:
        return _queue_email(thread, recipient, body, language, files)
    if files:
        body = with_portal_link(thread.order, channel, body, len(files))
    if channel == Channel.WHATSAPP:
        return _queue_whatsapp(thread, recipient, body)
    if channel == Channel.SMS and len(body) > SMS_LIMIT:
        raise ApplicationError(
            f"A text message holds at most {SMS_LIMIT} characters.",
            fields={"body": ["Too long for SMS."]},
        )
    return outbox.enqueue(
        channel=REPLY_CHANNELS[channel],
        recipient=recipient,
        body=body,
        order_id=thread.order_id,
    )


def _queue_whatsapp(thread: Thread, recipient: str, body: str) -> OutboxMessage:
    """Text within the window; outside it the reply template with the reply in
    it, or a refusal saying why."""
    order = thread.order
    message = {"body": body}
    if not window_open(customer=order.customer, thread=thread):
        template = _reply_template(order)
        if template is None:
            raise ApplicationError(
                f"WhatsApp cannot carry this reply: {WINDOW_CLOSED}, and only an"
                " approved template may go now. Add a “reply waiting” template in"
                " Settings → WhatsApp templates, or answer by email or SMS.",
                fields={"channel": ["Outside WhatsApp's 24-hour window."]},
            )
        data, text = outgoing(template, order, {"reply_text": body})
        message = {"body": text, "template": data}
    return outbox.enqueue(
        channel=OutboxMessage.Channel.WHATSAPP,
        recipient=recipient,
        order_id=thread.order_id,
        **message,
    )


def _queue_in_app_notice(
    thread: Thread, customer: Customer | None, body: str, language: str, files=()
) -> OutboxMessage | None:
    """In-app replies are read in the portal; the customer is told by email when
    they have an address (the email carries the reply's files too)."""
    if customer is not None and customer.email:
        return _queue_email(thread, customer.email, body, language, files)
    if customer is None or not customer.user_id:
        raise ApplicationError(
            "This customer has no portal account and no email address: choose"
            " SMS or WhatsApp, or add an internal note.",
            fields={"channel": ["The customer cannot read in-app replies."]},
        )
    return None


def _queue_email(
    thread: Thread,
    recipient: str,
    body: str,
    language: str,
    files: Sequence[StoredFile] = (),
) -> OutboxMessage:
    last_email = _last_inbound(thread, Channel.EMAIL)
    return outbox.enqueue(
        channel=OutboxMessage.Channel.EMAIL,
        recipient=recipient,
        subject=email_threads.reply_subject(thread, last_email),
        order_id=thread.order_id,
        **customer_email(
            thread.order,
            reply_letter(body),
            headers=email_threads.reply_headers(thread, last_email),
            language=language,
        ),
        attachments=[file.outbox_entry() for file in files],
    )


NO_FILES_BY_TEXT = "{} cannot carry files for a customer without a portal account."


def has_portal(customer: Customer | None) -> bool:
    return customer is not None and bool(customer.user_id)


def with_portal_link(order: Order, channel: str, body: str, count: int) -> str:
    """A text message's body with the line that sends the customer to the files
    in their portal; refused when they have no portal account to open them in."""
    if not has_portal(order.customer):
        raise ApplicationError(
            f"{Channel(channel).label} cannot carry files, and this customer has no"
            " portal account to find them in: send them by email, or send the reply"
            " without them.",
            fields={"files": [NO_FILES_BY_TEXT.format(Channel(channel).label)]},
        )
    url = settings.PUBLIC_BASE_URL.rstrip("/") + portal_thread_path(order)
    with writing_to(order_language(order)):
        # Two texts rather than ngettext: our catalogues hold one-line entries
        # (tests/test_translations.py), and sv, nb and da set only 1 apart.
        if count == 1:
            line = gettext("1 attachment: see it in your portal: %(url)s")
        else:
            line = gettext("%(count)s attachments: see them in your portal: %(url)s")
        line = line % {"count": count, "url": url}
    return f"{body}\n\n{line}"


def portal_thread_path(order: Order) -> str:
    """The order's conversation in the customer's portal (where its files are)."""
    return f"{reverse('portal:messages')}?order={order.pk}"


def files_note(order: Order) -> str:
    """What the composer says of the channels that carry files."""
    if has_portal(order.customer):
        return (
            "Files go as attachments by email, as a link to the customer's portal"
            " by SMS and WhatsApp, and in the portal in-app."
        )
    return (
        "Files go as attachments by email and in-app; SMS and WhatsApp cannot"
        " carry them: this customer has no portal account."
    )


def _recipient(thread: Thread, channel: str, customer: Customer | None) -> str:
    """Where the customer wrote from on that channel, when it was them; else their
    address or number on file (a stranger quoting an order number gets no reply)."""
    last = _last_inbound(thread, channel)
    # A redacted message's address is withdrawn with it (docs/privacy.md).
    theirs = last is not None and last.author_customer_id and not last.is_redacted
    if theirs and last.sender:
        return last.sender
    if customer is None:
        return ""
    if channel == Channel.EMAIL:
        return customer.email
    return customer.phone


def _last_inbound(thread: Thread, channel: str) -> Message | None:
    return (
        thread.messages.filter(direction=Direction.INBOUND, channel=channel)
        .select_related("redaction")
        .order_by("-pk")
        .first()
    )


def delivery_fields(delivery: OutboxMessage | None) -> dict:
    """What a reply's message records of the outbox row that carries it (none
    for an in-app reply the customer reads in the portal)."""
    if delivery is None:
        return {"recipient": "", "subject": "", "headers": {}, "delivery": None}
    return {
        "recipient": delivery.recipient,
        "subject": delivery.subject,
        "headers": delivery.headers,
        "delivery": delivery,
    }
