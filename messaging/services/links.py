"""An unmatched message put in its order's thread by staff."""

from django.db import transaction

from messaging.models import Message, Thread
from messaging.services.common import Direction, order_audit
from messaging.services.threads import locked_thread, thread_record_message
from orders.models import Order
from orders.selectors import order_is_managed_by
from orders.services import order_conversation_changed
from performile.actors import Actor
from performile.errors import ApplicationError, NotAllowed


def message_link(*, message: Message, order: Order, actor: Actor) -> Message:
    """Put an unmatched message in the order's thread (staff and admins of the
    order's merchant). The only change a message ever gets."""
    if not order_is_managed_by(actor, order):
        raise NotAllowed("Only the merchant's staff link messages to orders.")
    if message.merchant_id not in (None, order.merchant_id):
        raise NotAllowed("This message belongs to another merchant.")
    with transaction.atomic():
        thread = locked_thread(order)
        linked = Message.objects.filter(pk=message.pk, thread=None).update(
            thread=thread, merchant_id=thread.merchant_id
        )
        if not linked:
            raise ApplicationError("This message is already in an order's thread.")
        message.refresh_from_db()
        if message.pk > thread.last_message_id:
            thread_record_message(thread, message, last_inbound_channel=message.channel)
        if message.direction == Direction.INBOUND:
            _awaits_reply(thread, message)
        order_audit("message.linked", order=order, target=message, actor=actor)
        order_conversation_changed(order.pk, "message")
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
