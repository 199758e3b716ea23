"""How the team sorts conversations: the merchant's labels (written, renamed and
deleted by staff and admins), the labels on a conversation, and snoozing one out
of the Inbox until a time or until the customer writes. Every change is audited
and reaches open Inbox pages (the change feed's "conversation" mark)."""

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from messaging.models import Label, Thread
from messaging.models.labels import COLOURS
from messaging.services.common import order_audit, save_team_record
from messaging.services.threads import locked_thread
from orders.models import Merchant, Order
from orders.selectors import merchant_is_managed_by
from orders.services import order_conversation_changed
from performile.actors import Actor
from performile.audit import audit
from performile.errors import ApplicationError, NotAllowed

NAME_LIMIT = 40
LABELS_PER_MERCHANT = 100
SNOOZE_LIMIT = timedelta(days=90)


# --- The merchant's labels ---------------------------------------------------------


def label_create(*, merchant: Merchant, actor: Actor, name: str, colour: str) -> Label:
    _ensure_team(actor, merchant.pk)
    if Label.objects.filter(merchant=merchant).count() >= LABELS_PER_MERCHANT:
        raise ApplicationError(
            f"A merchant keeps at most {LABELS_PER_MERCHANT} labels."
        )
    label = Label(merchant=merchant, **_clean(name, colour))
    _save(label, "label.created", actor)
    return label


def label_update(*, label: Label, actor: Actor, name: str, colour: str) -> Label:
    _ensure_team(actor, label.merchant_id)
    for field, value in _clean(name, colour).items():
        setattr(label, field, value)
    _save(label, "label.updated", actor)
    return label


def label_delete(*, label: Label, actor: Actor) -> None:
    """The label goes, from every conversation too."""
    _ensure_team(actor, label.merchant_id)
    with transaction.atomic():
        audit(
            "label.deleted",
            actor=actor,
            target=label,
            merchant_id=label.merchant_id,
            name=label.name,
            conversations=label.threads.count(),
        )
        label.delete()


def _ensure_team(actor: Actor, merchant_id: int) -> None:
    if not merchant_is_managed_by(actor, merchant_id):
        raise NotAllowed("Only the merchant's staff sort conversations.")


def _clean(name: str, colour: str) -> dict:
    name = " ".join((name or "").split())
    errors = {}
    if not name:
        errors["name"] = ["Give the label a name."]
    elif len(name) > NAME_LIMIT:
        errors["name"] = [f"At most {NAME_LIMIT} characters."]
    if colour not in dict(COLOURS):
        errors["colour"] = [f"Choose one of: {', '.join(dict(COLOURS))}."]
    if errors:
        raise ApplicationError("The label cannot be saved.", fields=errors)
    return {"name": name, "colour": colour}


def _save(label: Label, action: str, actor: Actor) -> None:
    save_team_record(
        label,
        action,
        actor,
        refusal="The label cannot be saved.",
        taken={"name": ["Another label has this name."]},
    )


# --- A conversation's labels and snooze ---------------------------------------------


def thread_set_labels(*, order: Order, actor: Actor, label_ids) -> Thread:
    """The conversation carries exactly these labels (ids of the order's merchant's
    labels; any other id is refused, nothing changes)."""
    _ensure_team(actor, order.merchant_id)
    wanted = {int(pk) for pk in label_ids}
    labels = list(Label.objects.filter(merchant_id=order.merchant_id, pk__in=wanted))
    if len(labels) != len(wanted):
        raise ApplicationError(
            "No such label.", fields={"labels": ["Choose among your labels."]}
        )
    with transaction.atomic():
        thread = locked_thread(order)
        before = set(thread.labels.values_list("pk", flat=True))
        if before == wanted:
            return thread
        thread.labels.set(labels)
        order_audit(
            "thread.labelled",
            order=order,
            target=thread,
            actor=actor,
            labels=sorted(label.name for label in labels),
        )
        order_conversation_changed(order.pk, "labels")
    return thread


def thread_snooze(*, order: Order, actor: Actor, until: datetime | None) -> Thread:
    """Out of the Inbox until `until` (or until the customer writes); None wakes it
    now. A snooze is in the future and at most SNOOZE_LIMIT away."""
    _ensure_team(actor, order.merchant_id)
    now = timezone.now()
    if until is not None and not now < until <= now + SNOOZE_LIMIT:
        raise ApplicationError(
            "Snooze until a time within the next 90 days.",
            fields={"until": ["Pick a time in the future, at most 90 days away."]},
        )
    with transaction.atomic():
        thread = locked_thread(order)
        thread.snoozed_until = until
        thread.save(update_fields=["snoozed_until"])
        order_audit(
            "thread.snoozed" if until else "thread.woken",
            order=order,
            target=thread,
            actor=actor,
            until=until.isoformat() if until else None,
        )
        order_conversation_changed(order.pk, "snooze")
    return thread


def is_snoozed(thread: Thread, now=None) -> bool:
    until = thread.snoozed_until
    return until is not None and until > (now or timezone.now())
