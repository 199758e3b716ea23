"""Overdue conversations escalated: a customer who has waited past the store's
reply target, or a conversation still open past its resolution target
(messaging.sla), is brought to the conversation's assignee (the order's staff
member) and the merchant's admins, by email and in the app (a SupportNotification
of the escalation's kind: the Inbox's "Escalated to you"), once per wait or open
period. Run by the beat every five minutes (messaging.tasks.sla_escalate); the
Inbox flags the same conversations meanwhile."""

import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from messaging import sla
from messaging.models import Message, SupportNotification, Thread
from orders.models import Membership
from orders.selectors import merchant_members
from orders.services import order_conversation_changed
from performile import outbox
from performile.audit import audit
from performile.models import OutboxMessage

logger = logging.getLogger(__name__)
BATCH = 200
Kind = SupportNotification.Kind


@dataclass(frozen=True)
class Escalation:
    kind: str  # SupportNotification.Kind
    stamp: str  # the thread's field that says it was escalated
    overdue: object  # sla's query of the threads due for it
    action: str  # the audit's
    title: str

    def since(self, thread: Thread):
        """When the wait or the open period it escalates began."""
        if self.kind == Kind.REPLY_OVERDUE:
            return thread.awaiting_reply_since
        return sla.resolution_start(thread)


REPLY = Escalation(
    Kind.REPLY_OVERDUE,
    "sla_escalated_at",
    sla.reply_overdue,
    "thread.sla_escalated",
    "Reply overdue",
)
RESOLUTION = Escalation(
    Kind.RESOLUTION_OVERDUE,
    "resolution_escalated_at",
    sla.resolution_overdue,
    "thread.resolution_escalated",
    "Resolution overdue",
)


def sla_escalate_overdue(*, now=None) -> int:
    """Escalate every overdue reply and resolution not escalated yet (at most
    BATCH of each a run; the next run takes the rest). Returns how many."""
    now = now or timezone.now()
    escalated = 0
    for escalation in (REPLY, RESOLUTION):
        due = escalation.overdue(Thread.objects.all(), now).values_list("pk", flat=True)
        for pk in list(due[:BATCH]):
            escalated += _escalate(escalation, pk, now)
    if escalated:
        logger.info("escalated %s overdue conversations", escalated)
    return escalated


def _escalate(escalation: Escalation, pk: int, now) -> int:
    with transaction.atomic():
        thread = (
            Thread.objects.select_for_update(of=("self",))
            .select_related("order__assigned_staff", "store")
            .get(pk=pk)
        )
        since = escalation.since(thread)
        if not thread.is_open or since is None:
            return 0  # answered or closed since the sweep looked
        stamped = getattr(thread, escalation.stamp)
        if stamped and stamped >= since:
            return 0  # another run took it
        people = _people(thread)
        _tell(escalation, thread, people, since, now)
        setattr(thread, escalation.stamp, now)
        thread.save(update_fields=[escalation.stamp])
        audit(
            escalation.action,
            actor_label="service level",
            target=thread,
            order_id=thread.order_id,
            merchant_id=thread.merchant_id,
            waiting_since=since.isoformat(),
            told=[person.pk for person in people],
        )
        order_conversation_changed(thread.order_id, "escalated")
    return 1


def _tell(escalation: Escalation, thread: Thread, people, since, now) -> None:
    """An email to each, and the in-app notification (already "emailed": the
    new-message digest leaves it out)."""
    waiting = (
        Message.objects.filter(thread=thread, direction=Message.Direction.INBOUND)
        .order_by("-pk")
        .first()
    )
    for person in people:
        if person.email:
            outbox.enqueue(
                channel=OutboxMessage.Channel.EMAIL,
                recipient=person.email,
                subject=f"{escalation.title}: order {thread.order.order_number}",
                body=_text(escalation, thread, person, since, now),
                order_id=thread.order_id,
            )
    if waiting is not None:
        SupportNotification.objects.bulk_create(
            [
                SupportNotification(
                    user=person, message=waiting, kind=escalation.kind, emailed_at=now
                )
                for person in people
            ],
            ignore_conflicts=True,
        )


def _people(thread: Thread) -> list:
    """The assignee and the merchant's admins, each once."""
    found = {}
    assignee = thread.order.assigned_staff
    if assignee is not None and assignee.is_active:
        found[assignee.pk] = assignee
    for admin in merchant_members(thread.merchant_id, Membership.Role.ADMIN):
        found.setdefault(admin.pk, admin)
    return list(found.values())


def _text(escalation: Escalation, thread: Thread, person, since, now) -> str:
    order = thread.order
    zone = thread.store.merchant.zone
    started = timezone.localtime(since, zone)
    waited = sla.span(now - since)
    url = settings.PUBLIC_BASE_URL.rstrip("/") + order.get_absolute_url() + "#messages"
    if escalation is REPLY:
        what = (
            f"A customer of {thread.store.name} has waited {waited} for a reply about"
            f" order {order.order_number} (since {started:%d %b %H:%M}), longer than"
            " the store's reply target."
        )
    else:
        what = (
            f"The conversation about order {order.order_number} of"
            f" {thread.store.name} has been open {waited} (since"
            f" {started:%d %b %H:%M}), longer than the store's resolution target."
        )
    why = (
        "You get this as the order's assignee or an admin of the merchant."
        if order.assigned_staff_id
        else "You get this as an admin of the merchant: nobody is assigned the order."
    )
    return "\n\n".join(
        [
            f"Hello {person.first_name or person.get_username()},",
            what,
            f"Open the conversation: {url}",
            why,
        ]
    )
