"""Messages written in the app: the customer writing from the portal, staff
replying (through the outbox, on the channel the customer last used), internal
notes, and system messages of what happened to the order. The reply's way out is
`messaging.services.outgoing`."""

from collections.abc import Sequence

from django.core.files import File
from django.db import transaction
from django.utils import timezone

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
from messaging.services.outgoing import delivery_fields, queue_reply, reply_channel
from messaging.services.reading import advance_read_state
from messaging.services.reply_files import (
    attachments_record,
    files_check,
    stored_files,
)
from messaging.services.threads import (
    locked_thread,
    thread_add_message,
    thread_record_message,
)
from orders.models import Order
from orders.selectors import order_is_workable_by
from orders.services import order_conversation_changed
from performile.actors import Actor
from performile.errors import ApplicationError, NotAllowed
from performile.models import OutboxMessage


def message_post(
    *,
    order: Order,
    actor: Actor,
    body: str,
    visibility: str = Visibility.PUBLIC,
    channel: str | None = None,
    files: Sequence[File] = (),
) -> Message:
    """A message written in the app (the order's thread in the Orders view or the
    portal, or the API). The order's customer writes to support; the merchant's
    people reply to the customer, or (staff and admins) add an internal note,
    either with `files` (messaging.services.reply_files)."""
    if visibility == Visibility.INTERNAL:
        return message_add_note(order=order, actor=actor, body=body, files=files)
    if visibility != Visibility.PUBLIC:
        raise ApplicationError(
            "Visibility is public or internal.", fields={"visibility": ["Invalid."]}
        )
    if is_order_customer(actor, order) and not order_is_workable_by(actor, order):
        if files:
            raise ApplicationError(
                "Files go with the team's replies only.",
                fields={"files": ["Not accepted here."]},
            )
        return message_send_in_app(order=order, actor=actor, body=body)
    return message_reply(
        order=order, actor=actor, body=body, channel=channel, files=files
    )


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
    *,
    order: Order,
    actor: Actor,
    body: str,
    channel: str | None = None,
    files: Sequence[File] = (),
) -> Message:
    """Answer the customer: on the channel they last used (or `channel`), through
    the outbox, with the delivery's status kept beside the message; `files` go
    with it as the channel can carry them (messaging.services.outgoing)."""
    if not order_is_workable_by(actor, order):
        raise NotAllowed("You cannot reply on this order.")
    body = clean_body(body)
    checked = files_check(files)
    with stored_files(checked) as stored, transaction.atomic():
        thread = locked_thread(order)
        channel = reply_channel(thread, channel)
        delivery = queue_reply(thread, channel, body, files=stored)
        message = _add_reply(thread, actor, channel, body, delivery)
        attachments_record(message, stored)
        advance_read_state(thread, actor, message.pk)
        order_audit(
            "message.replied",
            order=order,
            target=message,
            actor=actor,
            channel=channel,
            outbox_message_id=delivery.pk if delivery else None,
        )
        order_conversation_changed(order.pk, "message_reply")
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
        body=body,
        **delivery_fields(delivery),
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


def message_add_note(
    *, order: Order, actor: Actor, body: str, files: Sequence[File] = ()
) -> Message:
    """An internal note, with its `files`: for the merchant's staff and admins
    only, never shown to the customer, suppliers or resellers."""
    if not user_sees_internal_notes(actor, order):
        raise NotAllowed("Only the merchant's staff and admins write internal notes.")
    return _write_in_app(
        order,
        actor,
        record=thread_record_message,
        action="message.internal_note",
        files=files,
        direction=Direction.OUTBOUND,
        visibility=Visibility.INTERNAL,
        body=clean_body(body),
    )


def _write_in_app(
    order: Order, actor: Actor, *, record, action: str, files=(), **fields
) -> Message:
    """`actor`'s message in the order's thread, `record` doing the thread's
    bookkeeping; the writer has read it, and the audit row says `action`."""
    checked = files_check(files)
    with stored_files(checked) as stored, transaction.atomic():
        thread = locked_thread(order)
        message = thread_add_message(
            thread, channel=Channel.IN_APP, author_user=actor, **fields
        )
        attachments_record(message, stored)
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
            order_conversation_changed(order.pk, "message_system")
    return message
