"""Who has read what: read receipts, how far each person has read a thread, and
their support notifications seen."""

from django.db import transaction
from django.utils import timezone

from messaging.models import (
    Message,
    ReadReceipt,
    SupportNotification,
    Thread,
    ThreadReadState,
)
from messaging.selectors import unread_messages
from messaging.services.common import order_audit
from orders.models import Order
from orders.services import order_conversation_changed


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
        advance_read_state(thread, user, message.pk)
        SupportNotification.objects.filter(
            user=user, message__thread=thread, message_id__lte=message.pk, seen_at=None
        ).update(seen_at=now)
        order_audit(
            "message.read",
            order=order,
            target=message,
            actor=user,
            message_ids=unread,
        )
        if unread:  # "Seen by" on open panels, and in the feed for the offline
            order_conversation_changed(order.pk, "read")
    return len(unread)


def advance_read_state(thread: Thread, user, message_id: int) -> None:
    state, _ = ThreadReadState.objects.get_or_create(thread=thread, user=user)
    if message_id > state.last_read_id:
        ThreadReadState.objects.filter(pk=state.pk, last_read_id__lt=message_id).update(
            last_read_id=message_id
        )
