"""Every write to messages and threads, one function per use case, in a
transaction, with the actor. Messages are only ever added (and an unmatched one
linked to its order once); nothing is edited or deleted.
"""

import logging
import mimetypes
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from messaging import email_threads, matching
from messaging.models import (
    Attachment,
    Message,
    ReadReceipt,
    SupportNotification,
    Thread,
    ThreadReadState,
)
from messaging.selectors import unread_messages, user_sees_internal_notes
from orders import live
from orders.models import Customer, Membership, Order
from orders.selectors import order_is_managed_by, order_is_workable_by
from performile import outbox
from performile.audit import audit
from performile.errors import ApplicationError, NotAllowed
from performile.models import OutboxMessage

logger = logging.getLogger(__name__)

Channel = Message.Channel
Direction = Message.Direction
Visibility = Message.Visibility
# Channels a reply can go out on, to the outbox channel that carries it.
REPLY_CHANNELS = {
    Channel.EMAIL: OutboxMessage.Channel.EMAIL,
    Channel.SMS: OutboxMessage.Channel.SMS,
    Channel.WHATSAPP: OutboxMessage.Channel.WHATSAPP,
}
BODY_LIMIT = 100_000
SMS_LIMIT = 1600  # Twilio's limit for one message body


@dataclass(frozen=True)
class IncomingAttachment:
    filename: str
    content: bytes
    content_type: str = ""


# --- Threads -----------------------------------------------------------------


def thread_get_or_create(*, order: Order) -> Thread:
    thread = Thread.objects.filter(order=order).first()
    if thread is not None:
        return thread
    try:
        with transaction.atomic():
            return Thread.objects.create(
                order=order, merchant_id=order.merchant_id, store_id=order.store_id
            )
    except IntegrityError:
        return Thread.objects.get(order=order)


def _locked_thread(order: Order) -> Thread:
    thread = thread_get_or_create(order=order)
    return (
        Thread.objects.select_for_update()
        .select_related("order", "store")
        .get(pk=thread.pk)
    )


def thread_close(*, order: Order, actor) -> Thread:
    """Mark the conversation resolved. A new customer message opens it again."""
    return _thread_set_status(order, actor, Thread.Status.CLOSED)


def thread_reopen(*, order: Order, actor) -> Thread:
    return _thread_set_status(order, actor, Thread.Status.OPEN)


def _thread_set_status(order: Order, actor, status: str) -> Thread:
    if not order_is_workable_by(actor, order):
        raise NotAllowed("You cannot close or reopen this conversation.")
    with transaction.atomic():
        thread = _locked_thread(order)
        if thread.status == status:
            return thread
        _set_status(thread, status, actor)
        audit(
            "thread.closed" if status == Thread.Status.CLOSED else "thread.reopened",
            actor=actor,
            target=thread,
            order_id=order.pk,
            merchant_id=order.merchant_id,
        )
        live.order_changed(order.pk, "thread")
    return thread


def _set_status(thread: Thread, status: str, actor=None) -> None:
    thread.status = status
    closing = status == Thread.Status.CLOSED
    thread.closed_at = timezone.now() if closing else None
    thread.closed_by = actor if closing and _is_user(actor) else None
    thread.save(update_fields=["status", "closed_at", "closed_by"])


# --- Inbound -----------------------------------------------------------------


def message_receive(
    *,
    channel: str,
    sender: str,
    body: str,
    recipient: str = "",
    subject: str = "",
    provider_message_id: str | None = None,
    headers: dict | None = None,
    references: Iterable[str] = (),
    attachments: Iterable[IncomingAttachment] = (),
    received_at=None,
) -> Message:
    """A customer's message from email, WhatsApp or SMS: found its order
    (messaging.matching) and added to that order's thread, or kept unmatched for
    staff to link. The same provider message id twice gives the first message."""
    if provider_message_id:
        existing = Message.objects.filter(
            provider_message_id=provider_message_id
        ).first()
        if existing is not None:
            return existing
    match = matching.match_inbound(
        matching.Inbound(
            channel=channel,
            sender=sender,
            recipient=recipient,
            subject=subject,
            body=body,
            references=tuple(references),
        )
    )
    fields = {
        "channel": channel,
        "direction": Direction.INBOUND,
        "author_customer": match.customer,
        "sender": sender[:320],
        "recipient": recipient[:320],
        "subject": subject[:300],
        # Cut, not refused: a customer's message is never dropped for its length.
        "body": _clean_body((body or "")[:BODY_LIMIT], allow_empty=True),
        "provider_message_id": provider_message_id or None,
        "headers": headers or {},
        "created_at": received_at or timezone.now(),
    }
    with transaction.atomic():
        if match.order is None:
            message = Message.objects.create(merchant_id=match.merchant_id, **fields)
            _notify_unmatched(message)
        else:
            thread = _locked_thread(match.order)
            message = Message.objects.create(
                thread=thread, merchant_id=thread.merchant_id, **fields
            )
            _after_inbound(thread, message)
        _save_attachments(message, attachments)
    logger.info(
        "inbound %s message %s matched by %s",
        channel,
        message.pk,
        match.how,
        extra={"order_id": match.order.pk if match.order else None},
    )
    return message


def _after_inbound(thread: Thread, message: Message) -> None:
    """Bookkeeping of a customer message in its thread: it waits for an answer,
    reopens a closed conversation, and tells the staff concerned."""
    thread.last_message_id = thread.last_public_message_id = message.pk
    thread.last_message_at = message.created_at
    thread.last_inbound_channel = message.channel
    thread.awaiting_reply_since = thread.awaiting_reply_since or message.created_at
    thread.first_inbound_at = thread.first_inbound_at or message.created_at
    fields = [
        "last_message_id",
        "last_public_message_id",
        "last_message_at",
        "last_inbound_channel",
        "awaiting_reply_since",
        "first_inbound_at",
    ]
    thread.save(update_fields=fields)
    if not thread.is_open:
        _set_status(thread, Thread.Status.OPEN)
        audit(
            "thread.reopened",
            actor_label="customer message",
            target=thread,
            order_id=thread.order_id,
            merchant_id=thread.merchant_id,
        )
    _notify_staff(thread, message)
    live.order_changed(thread.order_id, "message")


def _save_attachments(message: Message, attachments: Iterable[IncomingAttachment]):
    for incoming in attachments:
        name = (incoming.filename or "attachment").replace("/", "_")[-200:]
        attachment = Attachment(
            message=message,
            filename=name,
            content_type=incoming.content_type
            or mimetypes.guess_type(name)[0]
            or "application/octet-stream",
            size=len(incoming.content),
        )
        attachment.file.save(name, ContentFile(incoming.content), save=False)
        attachment.save()


# --- From people in the app -----------------------------------------------------


def message_post(
    *,
    order: Order,
    actor,
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
    if _is_order_customer(actor, order) and not order_is_workable_by(actor, order):
        return message_send_in_app(order=order, actor=actor, body=body)
    return message_reply(order=order, actor=actor, body=body, channel=channel)


def message_send_in_app(*, order: Order, actor, body: str) -> Message:
    """The order's customer writes from the portal."""
    if not _is_order_customer(actor, order):
        raise NotAllowed("Only the order's customer writes to support here.")
    body = _clean_body(body)
    with transaction.atomic():
        thread = _locked_thread(order)
        message = Message.objects.create(
            thread=thread,
            merchant_id=thread.merchant_id,
            channel=Channel.IN_APP,
            direction=Direction.INBOUND,
            author_user=actor,
            author_customer=order.customer,
            body=body,
        )
        _after_inbound(thread, message)
        _advance_read_state(thread, actor, message.pk)
        audit(
            "message.sent",
            actor=actor,
            target=message,
            order_id=order.pk,
            merchant_id=order.merchant_id,
        )
    return message


def message_reply(
    *, order: Order, actor, body: str, channel: str | None = None
) -> Message:
    """Answer the customer: on the channel they last used (or `channel`), through
    the outbox, with the delivery's status kept beside the message."""
    if not order_is_workable_by(actor, order):
        raise NotAllowed("You cannot reply on this order.")
    body = _clean_body(body)
    with transaction.atomic():
        thread = _locked_thread(order)
        channel = _reply_channel(thread, channel)
        delivery = _queue_reply(thread, channel, body)
        now = timezone.now()
        waited = thread.awaiting_reply_since
        message = Message.objects.create(
            thread=thread,
            merchant_id=thread.merchant_id,
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
        thread.last_message_id = thread.last_public_message_id = message.pk
        thread.last_message_at = now
        thread.awaiting_reply_since = None
        thread.first_response_at = thread.first_response_at or (now if waited else None)
        thread.save(
            update_fields=[
                "last_message_id",
                "last_public_message_id",
                "last_message_at",
                "awaiting_reply_since",
                "first_response_at",
            ]
        )
        _advance_read_state(thread, actor, message.pk)
        audit(
            "message.replied",
            actor=actor,
            target=message,
            order_id=order.pk,
            merchant_id=order.merchant_id,
            channel=channel,
            outbox_message_id=delivery.pk if delivery else None,
        )
        live.order_changed(order.pk, "message_reply")
    return message


def message_add_note(*, order: Order, actor, body: str) -> Message:
    """An internal note: for the merchant's staff and admins only, never shown to
    the customer, suppliers or resellers."""
    if not user_sees_internal_notes(actor, order):
        raise NotAllowed("Only the merchant's staff and admins write internal notes.")
    body = _clean_body(body)
    with transaction.atomic():
        thread = _locked_thread(order)
        message = Message.objects.create(
            thread=thread,
            merchant_id=thread.merchant_id,
            channel=Channel.IN_APP,
            direction=Direction.OUTBOUND,
            visibility=Visibility.INTERNAL,
            author_user=actor,
            body=body,
        )
        thread.last_message_id = message.pk
        thread.save(update_fields=["last_message_id"])
        _advance_read_state(thread, actor, message.pk)
        audit(
            "message.internal_note",
            actor=actor,
            target=message,
            order_id=order.pk,
            merchant_id=order.merchant_id,
        )
    return message


def message_add_system(*, order: Order, body: str, broadcast: bool = True) -> Message:
    """What happened to the order (status, shipment, tracking), in its thread.
    `broadcast=False` when the change it records was pushed live already."""
    with transaction.atomic():
        thread = _locked_thread(order)
        message = Message.objects.create(
            thread=thread,
            merchant_id=thread.merchant_id,
            channel=Channel.SYSTEM,
            direction=Direction.SYSTEM,
            body=_clean_body(body),
        )
        if broadcast:
            live.order_changed(order.pk, "message_system")
    return message


def message_link(*, message: Message, order: Order, actor) -> Message:
    """Put an unmatched message in the order's thread (staff and admins of the
    order's merchant). The only change a message ever gets."""
    if not order_is_managed_by(actor, order):
        raise NotAllowed("Only the merchant's staff link messages to orders.")
    if message.merchant_id not in (None, order.merchant_id):
        raise NotAllowed("This message belongs to another merchant.")
    with transaction.atomic():
        thread = _locked_thread(order)
        linked = Message.objects.filter(pk=message.pk, thread=None).update(
            thread=thread, merchant_id=thread.merchant_id
        )
        if not linked:
            raise ApplicationError("This message is already in an order's thread.")
        message.refresh_from_db()
        if message.pk > thread.last_message_id:
            thread.last_message_id = thread.last_public_message_id = message.pk
            thread.last_message_at = message.created_at
            thread.last_inbound_channel = message.channel
            thread.save(
                update_fields=[
                    "last_message_id",
                    "last_public_message_id",
                    "last_message_at",
                    "last_inbound_channel",
                ]
            )
        if message.direction == Direction.INBOUND:
            _awaits_reply(thread, message)
        audit(
            "message.linked",
            actor=actor,
            target=message,
            order_id=order.pk,
            merchant_id=order.merchant_id,
        )
        live.order_changed(order.pk, "message")
    return message


def _awaits_reply(thread: Thread, message: Message) -> None:
    since = thread.awaiting_reply_since
    thread.awaiting_reply_since = (
        min(since, message.created_at) if since else (message.created_at)
    )
    thread.first_inbound_at = min(
        thread.first_inbound_at or message.created_at, message.created_at
    )
    thread.save(update_fields=["awaiting_reply_since", "first_inbound_at"])


# --- Reading -----------------------------------------------------------------


def messages_mark_read(*, order: Order, message: Message, user) -> int:
    """`user` has read `message` and everything before it in the thread; returns
    how many messages that newly marks read."""
    thread = message.thread
    unread = list(
        unread_messages(user, thread)
        .filter(pk__lte=message.pk)
        .exclude(receipts__user=user)
        .values_list("pk", flat=True)
    )
    now = timezone.now()
    with transaction.atomic():
        ReadReceipt.objects.bulk_create(
            [ReadReceipt(message_id=pk, user=user, read_at=now) for pk in unread],
            ignore_conflicts=True,
        )
        _advance_read_state(thread, user, message.pk)
        SupportNotification.objects.filter(
            user=user, message__thread=thread, message_id__lte=message.pk, seen_at=None
        ).update(seen_at=now)
        audit(
            "message.read",
            actor=user,
            target=message,
            order_id=order.pk,
            merchant_id=order.merchant_id,
            message_ids=unread,
        )
    return len(unread)


def _advance_read_state(thread: Thread, user, message_id: int) -> None:
    state, _ = ThreadReadState.objects.get_or_create(thread=thread, user=user)
    if message_id > state.last_read_id:
        ThreadReadState.objects.filter(pk=state.pk, last_read_id__lt=message_id).update(
            last_read_id=message_id
        )


# --- Replies, delivered -----------------------------------------------------------


def _reply_channel(thread: Thread, requested: str | None) -> str:
    if requested and requested != "auto":
        if requested not in (*REPLY_CHANNELS, Channel.IN_APP):
            raise ApplicationError(
                f"A reply cannot go by {requested}.",
                fields={"channel": ["Choose email, sms, whatsapp or in_app."]},
            )
        return requested
    if thread.last_inbound_channel in (*REPLY_CHANNELS, Channel.IN_APP):
        return thread.last_inbound_channel
    customer = thread.order.customer
    if customer is not None and customer.user_id:
        return Channel.IN_APP
    return Channel.EMAIL if customer is not None and customer.email else Channel.SMS


def _queue_reply(thread: Thread, channel: str, body: str) -> OutboxMessage | None:
    """The outbox row that carries the reply. In-app replies are read in the
    portal; the customer is told by email when they have an address."""
    customer = thread.order.customer
    if channel == Channel.IN_APP:
        if customer is not None and customer.email:
            return _queue_email(thread, customer.email, body)
        if customer is None or not customer.user_id:
            raise ApplicationError(
                "This customer has no portal account and no email address: choose"
                " SMS or WhatsApp, or add an internal note.",
                fields={"channel": ["The customer cannot read in-app replies."]},
            )
        return None
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
    if last is not None and last.sender and last.author_customer_id:
        return last.sender
    if customer is None:
        return ""
    if channel == Channel.EMAIL:
        return customer.email
    return customer.phone


def _last_inbound(thread: Thread, channel: str) -> Message | None:
    return (
        thread.messages.filter(direction=Direction.INBOUND, channel=channel)
        .order_by("-pk")
        .first()
    )


# --- Notifying staff ---------------------------------------------------------------


def _notify_staff(thread: Thread, message: Message) -> None:
    """The assigned staff member hears of a customer message; when nobody is
    assigned, the store's team does (staff, admins, the store's resellers). The
    order's supplier hears of it too."""
    order = thread.order
    users = {order.assigned_staff_id} if order.assigned_staff_id else set()
    if not users:
        users = set(
            Membership.objects.filter(
                Q(role__in=[Membership.Role.STAFF, Membership.Role.ADMIN])
                | Q(role=Membership.Role.RESELLER, stores=order.store_id),
                merchant_id=order.merchant_id,
                user__is_active=True,
            ).values_list("user_id", flat=True)
        )
    if order.supplier_id:
        users.add(order.supplier_id)
    users.discard(message.author_user_id)
    _notify(users, message)


def _notify_unmatched(message: Message) -> None:
    if message.merchant_id is None:
        return
    users = Membership.objects.filter(
        merchant_id=message.merchant_id,
        role__in=[Membership.Role.STAFF, Membership.Role.ADMIN],
        user__is_active=True,
    ).values_list("user_id", flat=True)
    _notify(set(users), message)


def _notify(user_ids: set[int], message: Message) -> None:
    SupportNotification.objects.bulk_create(
        [SupportNotification(user_id=pk, message=message) for pk in user_ids if pk],
        ignore_conflicts=True,
    )


# --- Helpers ---------------------------------------------------------------------


def _clean_body(body: str, *, allow_empty: bool = False) -> str:
    body = (body or "").replace("\r\n", "\n").replace("\x00", "").strip()
    if not body and not allow_empty:
        raise ApplicationError(
            "Write a message first.", fields={"body": ["This field is required."]}
        )
    if len(body) > BODY_LIMIT:
        raise ApplicationError(
            f"A message holds at most {BODY_LIMIT:,} characters.",
            fields={"body": ["Too long."]},
        )
    return body


def _is_user(actor) -> bool:
    return getattr(actor, "is_authenticated", False)


def _is_order_customer(actor, order: Order) -> bool:
    return (
        _is_user(actor)
        and order.customer_id is not None
        and Customer.objects.filter(pk=order.customer_id, user=actor).exists()
    )
