"""Staff email digests: customer messages nobody has seen in the app for
MESSAGES_DIGEST_MINUTES reach each person concerned in one email
(docs/messaging-notifications.md).
"""

from collections import defaultdict
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from messaging.models import Message, SupportNotification
from orders.selectors import user_team_merchant_ids, visible_orders
from performile import outbox
from performile.models import OutboxMessage

PREVIEW_LENGTH = 160


def messages_send_digests() -> int:
    """One digest email per person with customer messages they have not seen in
    the app for MESSAGES_DIGEST_MINUTES and that no digest has named yet. Returns
    how many digests it queued. Safe to run twice at once: a person's
    notifications are claimed with SKIP LOCKED, so one run takes them."""
    cutoff = timezone.now() - timedelta(minutes=settings.MESSAGES_DIGEST_MINUTES)
    user_ids = set(_due_notifications(cutoff).values_list("user_id", flat=True))
    sent = 0
    for user_id in sorted(user_ids):
        sent += message_digest_send(user_id=user_id, cutoff=cutoff) is not None
    return sent


def message_digest_send(*, user_id: int, cutoff) -> OutboxMessage | None:
    """Claim the person's due notifications, queue their digest and mark them
    emailed, in one transaction. None when there is nothing (left) to tell."""
    with transaction.atomic():
        claimed = list(
            _due_notifications(cutoff)
            .filter(user_id=user_id)
            .select_for_update(skip_locked=True, of=("self",))
            .values_list("pk", flat=True)
        )
        if not claimed:
            return None
        notifications = SupportNotification.objects.filter(pk__in=claimed)
        user = notifications[0].user
        messages = _digest_messages(user, claimed)
        notifications.update(emailed_at=timezone.now())
        if not messages:
            return None
        return outbox.enqueue(
            channel=OutboxMessage.Channel.EMAIL,
            recipient=user.email,
            subject=_digest_subject(messages),
            body=_digest_body(user, messages),
        )


def _due_notifications(cutoff):
    return SupportNotification.objects.filter(
        seen_at=None,
        emailed_at=None,
        created_at__lte=cutoff,
        user__is_active=True,
    ).exclude(user__email="")


def _digest_messages(user, notification_ids: list[int]) -> list[Message]:
    """The public customer messages the person may still see (their access may have
    changed since), oldest first."""
    messages = Message.objects.filter(
        notifications__pk__in=notification_ids,
        visibility=Message.Visibility.PUBLIC,
        direction=Message.Direction.INBOUND,
    ).select_related(
        "thread__order__store", "author_customer", "author_user", "redaction"
    )
    visible = set(
        visible_orders(user)
        .filter(thread__messages__in=messages)
        .values_list("pk", flat=True)
    )
    merchants = user_team_merchant_ids(user)
    return [
        message
        for message in messages.order_by("created_at", "pk")
        if (message.thread and message.thread.order_id in visible)
        or (message.thread is None and message.merchant_id in merchants)
    ]


def _digest_subject(messages: list[Message]) -> str:
    orders = {m.thread.order.order_number for m in messages if m.thread}
    count = len(messages)
    noun = "message" if count == 1 else "messages"
    if len(orders) == 1 and all(m.thread for m in messages):
        return f"{count} new customer {noun} on order {orders.pop()}"
    return f"{count} new customer {noun}"


def _digest_body(user, messages: list[Message]) -> str:
    groups = defaultdict(list)
    for message in messages:
        groups[message.thread.order if message.thread else None].append(message)
    base = settings.PUBLIC_BASE_URL.rstrip("/")
    name = user.get_full_name() or user.get_username()
    lines = [f"Hello {name},", "", "Customer messages are waiting for an answer:"]
    for order, group in groups.items():
        lines.append("")
        if order is None:
            lines.append(f"Not linked to an order yet ({len(group)}):")
        else:
            lines.append(f"Order {order.order_number} ({order.store.name}):")
        lines.extend(_preview(message) for message in group)
        link = f"/orders/{order.pk}/" if order else reverse("messaging:unmatched")
        lines.append(f"  {base}{link}")
    lines += [
        "",
        "You get this email because these messages have waited unseen in the app"
        f" for {settings.MESSAGES_DIGEST_MINUTES} minutes or more.",
    ]
    return "\n".join(lines)


def _preview(message: Message) -> str:
    text = " ".join(message.shown_body.split()) or "(no text)"
    if len(text) > PREVIEW_LENGTH:
        text = text[: PREVIEW_LENGTH - 1].rstrip() + "…"
    return f"  - {message.author_name} ({message.get_channel_display()}): {text}"
