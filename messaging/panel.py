"""What the order's Messages panel and the Inbox's conversation pane show of a
thread to a user: the messages (the newest THREAD_SHOWN), who has seen them, the
composer, and for the pane the order's facts, labels and snooze."""

from django_htmx.http import trigger_client_event

from messaging import selectors, services
from messaging.forms import LabelsForm, MessageForm, SnoozeForm
from messaging.services.organising import is_snoozed
from orders import selectors as order_selectors

THREAD_SHOWN = 100  # the newest messages a panel shows before "Show all"


def panel_context(request, order, *, form=None, mark_read=False, show_all=False):
    """What the Messages panel shows of the order's thread to the user; with
    `mark_read`, the thread is read up to its newest message."""
    user = request.user
    thread = selectors.thread_for_order(order)
    sees_notes = selectors.user_sees_internal_notes(user, order)
    thread_messages = selectors.thread_messages(user, order)
    total = thread_messages.count() if thread else 0
    shown = thread_messages if show_all else _newest(thread_messages, total)
    first_unread = _first_unread(user, thread)
    if mark_read and first_unread is not None:
        newest = thread_messages.order_by("-pk").first()
        services.messages_mark_read(order=order, message=newest, user=user)
    shown = list(shown) if thread else []
    # "Seen by Anna 14:02", "Seen by the customer": for the merchant's team only.
    seen = selectors.seen_by(order, shown) if sees_notes and shown else {}
    for message in shown:
        message.seen = seen.get(message.pk, [])
    return {
        "order": order,
        "thread": thread,
        "thread_messages": shown,
        "hidden_count": 0 if show_all else max(total - THREAD_SHOWN, 0),
        "first_unread": first_unread,
        "marked_read": mark_read and first_unread is not None,
        "sees_notes": sees_notes,
        "may_write": order_selectors.order_is_workable_by(user, order),
        "rating": selectors.order_latest_rating(order) if sees_notes else None,
        "canned": selectors.canned_replies_for_order(user, order) if sees_notes else [],
        "form": form
        or MessageForm(order=order, thread=thread, allow_internal=sees_notes),
    }


def read_trigger(response, order, context):
    """Tells the page the thread was read (its unread badges go)."""
    if context["marked_read"]:
        trigger_client_event(response, "performile:thread-read", {"order": order.pk})
    return response


def _newest(thread_messages, total: int):
    if total <= THREAD_SHOWN:
        return thread_messages
    return thread_messages.filter(
        pk__gte=thread_messages.order_by("-pk").values_list("pk", flat=True)[
            THREAD_SHOWN - 1
        ]
    )


def _first_unread(user, thread) -> int | None:
    if thread is None:
        return None
    return (
        selectors.unread_messages(user, thread)
        .order_by("pk")
        .values_list("pk", flat=True)
        .first()
    )


def conversation_context(
    request, order, *, mark_read=False, labels_form=None, snooze_form=None
):
    """The pane's context: the Messages panel's, the order's facts, and (for the
    merchant's team) the forms for its labels and snooze."""
    context = panel_context(request, order, mark_read=mark_read)
    thread = context["thread"]
    choices = selectors.labels_for_order(request.user, order)
    current = list(thread.labels.all()) if thread else []
    context.update(
        order=order,
        labels=current,
        label_choices=choices,
        labels_form=labels_form
        or LabelsForm(
            labels=choices, initial={"labels": [str(label.pk) for label in current]}
        ),
        snooze_form=snooze_form or SnoozeForm(initial={"until": "tomorrow"}),
        snoozed=bool(thread and is_snoozed(thread)),
        organises=order_selectors.order_is_managed_by(request.user, order),
        lines=list(order.lines.all()[:5]),
    )
    return context
