"""The customer's messages in their export, as the portal shows them."""

from django.db.models import Q

from messaging.models import Message
from messaging.selectors import customer_may_see
from orders.models import Customer, Order
from orders.selectors import visible_orders
from privacy.export.files import ExportFile, safe_name, stored


def messages_section(
    customer: Customer, viewer, orders: list[Order], files: list[ExportFile]
) -> list[dict]:
    """The conversations of their `orders` as the portal shows them (never
    internal notes), and what they wrote in other threads `viewer` may see or
    about no order (theirs by authorship: the caller's check decides)."""
    seen = Q(thread__order__in=visible_orders(viewer, include_deleted=True))
    written = Q(author_customer=customer, visibility=Message.Visibility.PUBLIC)
    messages = (
        Message.objects.filter(
            (Q(thread__order__in=orders) & customer_may_see(customer))
            | (written & (seen | Q(thread=None)))
        )
        .select_related("thread__order", "thread__store", "redaction")
        .prefetch_related("attachments")
        .order_by("created_at", "id")
    )
    return [_message(message, customer, files) for message in messages]


def _message(message: Message, customer: Customer, files) -> dict:
    order = message.thread.order if message.thread_id else None
    if message.direction == Message.Direction.SYSTEM:
        author = "system"
    elif message.author_customer_id == customer.pk:
        author = "you"
    else:
        author = message.thread.store.name if message.thread_id else "staff"
    return {
        "order_number": order.order_number if order else None,
        "channel": message.channel,
        "direction": message.direction,
        "from": author,
        "sender": message.shown_sender,
        "recipient": message.shown_recipient,
        "subject": message.shown_subject,
        "body": message.shown_body,
        "redacted": message.is_redacted,
        "at": message.created_at,
        "attachments": [
            _attachment(message, attachment, files)
            for attachment in message.shown_attachments
        ],
    }


def _attachment(message: Message, attachment, files: list[ExportFile]) -> dict:
    path = f"attachments/{message.pk}/{attachment.pk}-{safe_name(attachment.filename)}"
    files.append(ExportFile(path, stored(attachment.file)))
    return {
        "filename": attachment.filename,
        "content_type": attachment.content_type,
        "size": attachment.size,
        "file": path,
    }
