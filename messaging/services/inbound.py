"""A customer's message coming in: from email, WhatsApp or SMS (matched to its
order, or kept unmatched for staff to link), with its attachments; and what a
customer message does to its thread, whichever way it came."""

import logging
import mimetypes
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from messaging import matching
from messaging.models import Attachment, Message, Thread
from messaging.services.auto_answers import answer_tracking_question
from messaging.services.common import BODY_LIMIT, Direction, clean_body, order_audit
from messaging.services.satisfaction import survey_rate_by_reply
from messaging.services.staff_notifications import notify_staff, notify_unmatched
from messaging.services.threads import (
    locked_thread,
    set_status,
    thread_add_message,
    thread_record_message,
    with_language,
)
from orders.services import order_conversation_changed

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class IncomingAttachment:
    filename: str
    content: bytes
    content_type: str = ""


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
    inbound = matching.Inbound(
        channel=channel,
        sender=sender,
        recipient=recipient,
        subject=subject,
        body=body,
        references=tuple(references),
    )
    match = matching.match_inbound(inbound)
    fields = {
        "channel": channel,
        "direction": Direction.INBOUND,
        "author_customer": match.customer,
        "sender": sender[:320],
        "recipient": recipient[:320],
        "subject": subject[:300],
        # Cut, not refused: a customer's message is never dropped for its length.
        "body": clean_body((body or "")[:BODY_LIMIT], allow_empty=True),
        "provider_message_id": provider_message_id or None,
        "headers": headers or {},
        "created_at": received_at or timezone.now(),
    }
    with transaction.atomic():
        message = _file(match, fields)
        _save_attachments(message, attachments)
    logger.info(
        "inbound %s message %s matched by %s",
        channel,
        message.pk,
        match.how,
        extra={"order_id": match.order.pk if match.order else None},
    )
    return message


def _file(match: matching.Match, fields: dict) -> Message:
    """In its order's thread, or unmatched in its merchant's (if known) inbox."""
    if match.order is None:
        message = Message.objects.create(
            merchant_id=match.merchant_id, **with_language(fields)
        )
        notify_unmatched(message)
        return message
    thread = locked_thread(match.order)
    message = thread_add_message(thread, **fields)
    record_inbound(thread, message)
    return message


def record_inbound(thread: Thread, message: Message) -> None:
    """Bookkeeping of a customer message in its thread: it waits for an answer,
    reopens a closed conversation, is answered at once when it asks where the
    order is (messaging.services.auto_answers), and tells the staff concerned
    unless that answer settled it. A reply that is only a rating (1-5) to a
    satisfaction question is recorded as the rating and asks for nothing: the
    conversation neither waits for a reply nor reopens."""
    if survey_rate_by_reply(message) is not None:
        thread_record_message(thread, message, last_inbound_channel=message.channel)
        order_conversation_changed(thread.order_id, "message")
        return
    thread_record_message(
        thread,
        message,
        last_inbound_channel=message.channel,
        awaiting_reply_since=thread.awaiting_reply_since or message.created_at,
        first_inbound_at=thread.first_inbound_at or message.created_at,
        snoozed_until=None,  # the customer wrote: back in the Inbox
    )
    if not thread.is_open:
        set_status(thread, Thread.Status.OPEN)
        order_audit(
            "thread.reopened",
            order=thread.order,
            target=thread,
            actor_label="customer message",
        )
    answer_tracking_question(thread, message)
    if thread.awaiting_reply_since is not None:  # not settled by the answer
        notify_staff(thread, message)
    order_conversation_changed(thread.order_id, "message")


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
