"""Messages written in the app: the customer writing from the portal, staff
replying (through the outbox, on the channel the customer last used), internal
notes, and system messages of what happened to the order."""

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from messaging import email_threads
from messaging.models import Message, Thread
from messaging.selectors import user_sees_internal_notes
from messaging.services.common import (
    Channel,
    Direction,
    Visibility,
    clean_body,
    is_order_customer,
    order_audit,
)
from messaging.services.inbound import record_inbound
from messaging.services.reading import advance_read_state
from messaging.services.threads import (
    locked_thread,
    thread_add_message,
    thread_record_message,
)
from orders import live
from orders.models import Customer, Order
from orders.selectors import order_is_workable_by
from performile import outbox
from performile.actors import Actor
from performile.errors import ApplicationError, NotAllowed
from performile.models import OutboxMessage

# Channels a reply can go out on, to the outbox channel that carries it.
REPLY_CHANNELS = {
    Channel.EMAIL: OutboxMessage.Channel.EMAIL,
    Channel.SMS: OutboxMessage.Channel.SMS,
    Channel.WHATSAPP: OutboxMessage.Channel.WHATSAPP,
}
SMS_LIMIT = 1600  # Twilio's limit for one message body


def message_post(
    *,
    order: Order,
    actor: Actor,
    body: str,
    visibility: str = Visibility.PUBLIC,
    channel: str | None = None,
) -> Message:
    """A message written in the app (the order's thread in the Orders view or the
    portal, or the API). The order's customer writes to support; the merchant's
    people reply to the customer, or (staff and admins) add an internal note."""
    if visibility == Visibility.INTERNAL:
        return message_add_note(order=order, actor=actor, body=body)
    if visibility != Visibility.PUBLIC:
        raise ApplicationError(
            "Visibility is public or internal.", fields={"visibility": ["Invalid."]}
        )
    if is_order_customer(actor, order) and not order_is_workable_by(actor, order):
        return message_send_in_app(order=order, actor=actor, body=body)
    return message_reply(order=order, actor=actor, body=body, channel=channel)


def message_send_in_app(*, order: Order, actor: Actor, body: str) -> Message:
    """The order's customer writes from the portal."""
    if not is_order_customer(actor, order):
        raise NotAllowed("Only the order's customer writes to support here.")
    return _write_in_app(
        order,
        actor,
        record=record_inbound,
        action="message.sent",
        direction=Direction.INBOUND,
        author_customer=order.customer,
        body=clean_body(body),
    )


def message_reply(
    *, order: Order, actor: Actor, body: str, channel: str | None = None
) -> Message:
    """Answer the customer: on the channel they last used (or `channel`), through
    the outbox, with the delivery's status kept beside the message."""
    if not order_is_workable_by(actor, order):
        raise NotAllowed("You cannot reply on this order.")
    body = clean_body(body)
    with transaction.atomic():
        thread = locked_thread(order)
        channel = _reply_channel(thread, channel)
        delivery = _queue_reply(thread, channel, body)
        message = _add_reply(thread, actor, channel, body, delivery)
        advance_read_state(thread, actor, message.pk)
        order_audit(
            "message.replied",
            order=order,
            target=message,
            actor=actor,
            channel=channel,
            outbox_message_id=delivery.pk if delivery else None,
        )
        live.order_changed(order.pk, "message_reply", row_changed=False)
    return message


def _add_reply(
    thread: Thread,
    actor: Actor,
    channel: str,
    body: str,
    delivery: OutboxMessage | None,
) -> Message:
    """The reply in the thread, which then waits for the customer again; the time
    the customer waited is the reply's response time."""
    now = timezone.now()
    waited = thread.awaiting_reply_since
    message = thread_add_message(
        thread,
        channel=channel,
        direction=Direction.OUTBOUND,
        author_user=actor,
        recipient=delivery.recipient if delivery else "",
        subject=delivery.subject if delivery else "",
        body=body,
        headers=delivery.headers if delivery else {},
        delivery=delivery,
        response_seconds=int((now - waited).total_seconds()) if waited else None,
        created_at=now,
    )
    thread_record_message(
        thread,
        message,
        awaiting_reply_since=None,
        first_response_at=thread.first_response_at or (now if waited else None),
    )
    return message


def message_add_note(*, order: Order, actor: Actor, body: str) -> Message:
    """An internal note: for the merchant's staff and admins only, never shown to
    the customer, suppliers or resellers."""
    if not user_sees_internal_notes(actor, order):
        raise NotAllowed("Only the merchant's staff and admins write internal notes.")
    return _write_in_app(
        order,
        actor,
        record=thread_record_message,
        action="message.internal_note",
        direction=Direction.OUTBOUND,
        visibility=Visibility.INTERNAL,
        body=clean_body(body),
    )


def _write_in_app(
    order: Order, actor: Actor, *, record, action: str, **fields
) -> Message:
    """`actor`'s message in the order's thread, `record` doing the thread's
    bookkeeping; the writer has read it, and the audit row says `action`."""
    with transaction.atomic():
        thread = locked_thread(order)
        message = thread_add_message(
            thread, channel=Channel.IN_APP, author_user=actor, **fields
        )
        record(thread, message)
        advance_read_state(thread, actor, message.pk)
        order_audit(action, order=order, target=message, actor=actor)
    return message


def message_add_system(*, order: Order, body: str, broadcast: bool = True) -> Message:
    """What happened to the order (status, shipment, tracking), in its thread.
    `broadcast=False` when the change it records was pushed live already."""
    with transaction.atomic():
        thread = locked_thread(order)
        message = thread_add_message(
            thread,
            channel=Channel.SYSTEM,
            direction=Direction.SYSTEM,
            body=clean_body(body),
        )
        if broadcast:
            live.order_changed(order.pk, "message_system", row_changed=False)
    return message


# --- The reply's way out -------------------------------------------------------------


@dataclass(frozen=True)
class ReplyChannel:
    """A channel a reply may go by, and why not when it cannot ("" when it can)."""

    channel: str
    label: str
    unavailable: str = ""


def reply_channels(order: Order, thread: Thread | None) -> list[ReplyChannel]:
    """The composer's channels for the order's customer: each provider channel
    with why a reply cannot go by it (not set up on this platform; no address or
    number for the customer, on file or written from), and in-app (the portal),
    which always can. No queries: the customer and the thread say it all."""
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
        reason = "" if on_file or wrote else "no address or number for this customer"
        found.append(ReplyChannel(channel, label, reason))
    found.append(ReplyChannel(Channel.IN_APP, "In-app (portal)"))
    return found


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


def _reply_channel(thread: Thread, requested: str | None) -> str:
    if requested and requested != "auto":
        if requested not in (*REPLY_CHANNELS, Channel.IN_APP):
            raise ApplicationError(
                f"A reply cannot go by {requested}.",
                fields={"channel": ["Choose email, sms, whatsapp or in_app."]},
            )
        return requested
    return auto_channel(thread.order, thread)


def _queue_reply(thread: Thread, channel: str, body: str) -> OutboxMessage | None:
    """The outbox row that carries the reply (none for an in-app reply to a
    customer without an email address: they read it in the portal)."""
    customer = thread.order.customer
    if channel == Channel.IN_APP:
        return _queue_in_app_notice(thread, customer, body)
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
        return _queue_email(thread, recipient, body)
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


def _queue_in_app_notice(
    thread: Thread, customer: Customer | None, body: str
) -> OutboxMessage | None:
    """In-app replies are read in the portal; the customer is told by email when
    they have an address."""
    if customer is not None and customer.email:
        return _queue_email(thread, customer.email, body)
    if customer is None or not customer.user_id:
        raise ApplicationError(
            "This customer has no portal account and no email address: choose"
            " SMS or WhatsApp, or add an internal note.",
            fields={"channel": ["The customer cannot read in-app replies."]},
        )
    return None


def _queue_email(thread: Thread, recipient: str, body: str) -> OutboxMessage:
    last_email = _last_inbound(thread, Channel.EMAIL)
    return outbox.enqueue(
        channel=OutboxMessage.Channel.EMAIL,
        recipient=recipient,
        subject=email_threads.reply_subject(thread, last_email),
        body=body,
        headers=email_threads.reply_headers(thread, last_email),
        order_id=thread.order_id,
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
