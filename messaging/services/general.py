"""A customer's question that is not about an order, written in the portal: kept
unmatched (no thread) in their merchant's Unmatched inbox, where staff link it to
an order or answer it by email, exactly like an email nobody could match."""

from django.db import transaction

from messaging.models import Message
from messaging.services.common import Channel, Direction, clean_body
from messaging.services.staff_notifications import notify_unmatched
from orders.models import Customer
from performile.actors import Actor
from performile.audit import audit
from performile.errors import NotAllowed

# Marks the portal's general questions (the customer's "Other questions" list
# finds them by it) and tells staff in the Unmatched inbox where it came from.
GENERAL_SUBJECT = "Question from the customer portal"


def message_send_general(*, customer: Customer, actor: Actor, body: str) -> Message:
    """The customer (signed in as `actor`) writes to support about nothing in
    particular: an inbound in-app message without a thread, for the customer's
    merchant's team."""
    if not getattr(actor, "is_authenticated", False) or customer.user_id != actor.pk:
        raise NotAllowed("Only the customer writes their own questions.")
    body = clean_body(body)
    with transaction.atomic():
        message = Message.objects.create(
            merchant_id=customer.merchant_id,
            channel=Channel.IN_APP,
            direction=Direction.INBOUND,
            author_user=actor,
            author_customer=customer,
            sender=customer.email or (actor.email or "")[:320],
            subject=GENERAL_SUBJECT,
            body=body,
        )
        notify_unmatched(message)
        audit(
            "message.sent",
            actor=actor,
            target=message,
            merchant_id=customer.merchant_id,
            general=True,
        )
    return message
