"""Overdue replies escalated: a customer who has waited past the store's reply
target (messaging.sla) is brought to the conversation's assignee (the order's
staff member) and the merchant's admins by email, once per wait. Run by the beat
every five minutes (messaging.tasks.sla_escalate); the inbox flags the same
conversations meanwhile."""

import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from messaging import sla
from messaging.models import Thread
from orders.models import Membership
from orders.selectors import merchant_members
from performile import outbox
from performile.audit import audit
from performile.models import OutboxMessage

logger = logging.getLogger(__name__)
BATCH = 200


def sla_escalate_overdue(*, now=None) -> int:
    """Escalate every overdue wait not escalated yet (at most BATCH a run; the next
    run takes the rest). Returns how many conversations were escalated."""
    now = now or timezone.now()
    due = sla.reply_overdue(Thread.objects.all(), now).values_list("pk", flat=True)
    escalated = 0
    for pk in list(due[:BATCH]):
        escalated += _escalate(pk, now)
    if escalated:
        logger.info("escalated %s overdue replies", escalated)
    return escalated


def _escalate(pk: int, now) -> int:
    with transaction.atomic():
        thread = (
            Thread.objects.select_for_update(of=("self",))
            .select_related("order__assigned_staff", "store")
            .get(pk=pk)
        )
        waiting = thread.awaiting_reply_since
        if not thread.is_open or waiting is None:
            return 0  # answered or closed since the sweep looked
        if thread.sla_escalated_at and thread.sla_escalated_at >= waiting:
            return 0  # another run took it
        people = _people(thread)
        for person in people:
            outbox.enqueue(
                channel=OutboxMessage.Channel.EMAIL,
                recipient=person.email,
                subject=f"Reply overdue: order {thread.order.order_number}",
                body=_text(thread, person, now),
                order_id=thread.order_id,
            )
        thread.sla_escalated_at = now
        thread.save(update_fields=["sla_escalated_at"])
        audit(
            "thread.sla_escalated",
            actor_label="service level",
            target=thread,
            order_id=thread.order_id,
            merchant_id=thread.merchant_id,
            waiting_since=waiting.isoformat(),
            told=[person.pk for person in people],
        )
    return 1


def _people(thread: Thread) -> list:
    """The assignee and the merchant's admins, each once, who have an email."""
    found = {}
    assignee = thread.order.assigned_staff
    if assignee is not None and assignee.is_active:
        found[assignee.pk] = assignee
    for admin in merchant_members(thread.merchant_id, Membership.Role.ADMIN):
        found.setdefault(admin.pk, admin)
    return [person for person in found.values() if person.email]


def _text(thread: Thread, person, now) -> str:
    order = thread.order
    zone = thread.store.merchant.zone
    since = timezone.localtime(thread.awaiting_reply_since, zone)
    waited = sla.span(now - thread.awaiting_reply_since)
    url = settings.PUBLIC_BASE_URL.rstrip("/") + order.get_absolute_url() + "#messages"
    why = (
        "You get this as the order's assignee or an admin of the merchant."
        if order.assigned_staff_id
        else "You get this as an admin of the merchant: nobody is assigned the order."
    )
    return "\n\n".join(
        [
            f"Hello {person.first_name or person.get_username()},",
            f"A customer of {thread.store.name} has waited {waited} for a reply about"
            f" order {order.order_number} (since {since:%d %b %H:%M}), longer than"
            " the store's reply target.",
            f"Open the conversation: {url}",
            why,
        ]
    )
