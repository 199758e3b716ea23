"""An order's conversation: found or started, closed and reopened, and the
bookkeeping of what is new in it (denormalized on the thread for the inbox,
unread counts and metrics)."""

from django.db import IntegrityError, transaction
from django.utils import timezone

from messaging import languages
from messaging.models import Message, Thread
from messaging.services.common import Visibility, is_user, order_audit
from messaging.services.satisfaction import Survey, survey_schedule
from orders.models import Order
from orders.selectors import order_is_workable_by
from orders.services import order_conversation_changed
from performile.actors import Actor
from performile.errors import NotAllowed


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


def locked_thread(order: Order) -> Thread:
    """The order's thread, locked for this transaction (started if need be)."""
    threads = Thread.objects.select_for_update().select_related("order", "store")
    thread = threads.filter(order=order).first()
    if thread is None:
        thread = threads.get(pk=thread_get_or_create(order=order).pk)
    return thread


def thread_close(*, order: Order, actor: Actor) -> Thread:
    """Mark the conversation resolved. A new customer message opens it again."""
    return _thread_set_status(order, actor, Thread.Status.CLOSED)


def thread_reopen(*, order: Order, actor: Actor) -> Thread:
    return _thread_set_status(order, actor, Thread.Status.OPEN)


def _thread_set_status(order: Order, actor: Actor, status: str) -> Thread:
    if not order_is_workable_by(actor, order):
        raise NotAllowed("You cannot close or reopen this conversation.")
    with transaction.atomic():
        thread = locked_thread(order)
        if thread.status == status:
            return thread
        set_status(thread, status, actor)
        action = (
            "thread.closed" if status == Thread.Status.CLOSED else "thread.reopened"
        )
        order_audit(action, order=order, target=thread, actor=actor)
        order_conversation_changed(order.pk, "thread")
        if status == Thread.Status.CLOSED:
            survey_schedule(order=order, trigger=Survey.Trigger.CLOSED)
    return thread


def set_status(thread: Thread, status: str, actor: Actor = None) -> None:
    thread.status = status
    closing = status == Thread.Status.CLOSED
    thread.closed_at = timezone.now() if closing else None
    thread.closed_by = actor if closing and is_user(actor) else None
    changed = ["status", "closed_at", "closed_by"]
    if not closing:  # the resolution clock starts again (messaging.sla)
        thread.opened_at = timezone.now()
        changed.append("opened_at")
    thread.save(update_fields=changed)


def thread_add_message(thread: Thread, **fields) -> Message:
    return Message.objects.create(
        thread=thread, merchant_id=thread.merchant_id, **with_language(fields)
    )


def with_language(fields: dict) -> dict:
    """A new message's fields with the language it is searched in."""
    text = f"{fields.get('subject', '')}\n{fields.get('body', '')}"
    return {"language": languages.detect(text), **fields}


def thread_record_message(thread: Thread, message: Message, **fields) -> None:
    """`message` is the thread's newest (a public one its last activity too);
    `fields` are more of the thread's columns to save with it."""
    thread.last_message_id = message.pk
    changed = ["last_message_id"]
    if message.visibility == Visibility.PUBLIC:
        thread.last_public_message_id = message.pk
        thread.last_message_at = message.created_at
        changed += ["last_public_message_id", "last_message_at"]
    for name, value in fields.items():
        setattr(thread, name, value)
    thread.save(update_fields=[*changed, *fields])
