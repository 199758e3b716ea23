"""Reads of the portal's Messages pages: the customer's conversations (the threads
of their own orders, from `portal_orders`), one thread as the customer may see it,
and their questions about no order. Public messages only, never internal notes."""

from django.db.models import (
    BigIntegerField,
    Case,
    Count,
    F,
    IntegerField,
    OuterRef,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.fields import TextField
from django.db.models.functions import Coalesce, Left
from django.http import Http404

from messaging.models import REDACTED, Attachment, Message, ThreadReadState
from messaging.selectors import customer_may_see, thread_messages
from messaging.services.general import GENERAL_SUBJECT
from orders.models import Customer, Order
from orders.state_machine import OPEN
from portal.selectors import portal_orders

Direction = Message.Direction
PUBLIC = Message.Visibility.PUBLIC
PREVIEW_CHARS = 140
THREAD_SHOWN = 200  # the newest messages of a thread the page shows


def _unread_replies(user) -> Subquery:
    """The merchant's replies in the thread after how far `user` has read it."""
    read_up_to = ThreadReadState.objects.filter(
        thread=OuterRef(OuterRef("thread__pk")), user=user
    ).values("last_read_id")[:1]
    replies = Message.objects.filter(
        thread=OuterRef("thread__pk"),
        visibility=PUBLIC,
        direction=Direction.OUTBOUND,
        pk__gt=Coalesce(Subquery(read_up_to), Value(0), output_field=BigIntegerField()),
    )
    count = replies.order_by().values("thread").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(count, output_field=IntegerField()), Value(0))


def portal_conversations(user) -> QuerySet[Order]:
    """The customer's orders that have a conversation, newest activity first, each
    with `unread` (replies not read yet) and `preview` (the newest message)."""
    preview = Message.objects.filter(
        pk=OuterRef("thread__last_public_message_id")
    ).annotate(
        shown=Case(
            When(redaction__isnull=False, then=Value(REDACTED)),
            default=F("body"),
            output_field=TextField(),
        )
    )
    return (
        portal_orders(user)
        .filter(thread__last_public_message_id__gt=0)
        .select_related("thread")
        .annotate(
            unread=_unread_replies(user),
            preview=Left(Subquery(preview.values("shown")[:1]), PREVIEW_CHARS),
            preview_direction=Subquery(preview.values("direction")[:1]),
        )
        .order_by("-thread__last_message_at", "-id")
    )


def portal_thread_messages(user, customer: Customer, order: Order) -> list[Message]:
    """The order's messages as the customer sees them, oldest first (the newest
    THREAD_SHOWN). The caller got `order` through `portal_order_get`."""
    messages = thread_messages(user, order).filter(customer_may_see(customer))
    newest = list(messages.order_by("-pk")[:THREAD_SHOWN])
    newest.reverse()
    return newest


def portal_attachment_get(user, customer: Customer, pk) -> Attachment:
    """A file of a message the customer sees in one of their orders' threads (a
    reply's, or one they sent); Http404 for any other, and for one whose file
    was removed with its message (docs/privacy.md)."""
    messages = Message.objects.filter(
        customer_may_see(customer),
        thread__order__in=portal_orders(user),
        redaction__isnull=True,
    )
    try:
        attachment = Attachment.objects.get(pk=pk, message__in=messages)
    except (Attachment.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("No such file.") from exc
    if not attachment.file:
        raise Http404("This file was removed.")
    return attachment


def portal_read_up_to(user, order: Order) -> int:
    """How far the customer has read the order's thread (a message id)."""
    read = ThreadReadState.objects.filter(thread__order=order, user=user)
    return read.values_list("last_read_id", flat=True).first() or 0


def portal_general_messages(customer: Customer) -> QuerySet[Message]:
    """The customer's questions about no order, newest first; `thread` is set once
    staff moved one to an order's conversation."""
    return (
        Message.objects.filter(
            author_customer=customer,
            channel=Message.Channel.IN_APP,
            direction=Direction.INBOUND,
            subject=GENERAL_SUBJECT,
        )
        .select_related("thread__order", "redaction")
        .order_by("-pk")
    )


def default_contact_order(user) -> Order | None:
    """The order a "contact support" is most likely about: the newest active one."""
    return portal_orders(user).filter(status__in=OPEN).first()


def contact_orders(user, limit: int = 50) -> list[Order]:
    return list(portal_orders(user)[:limit])
