"""Outbound notifications (ARCHITECTURE.md, mechanism 4).

`enqueue()` writes an `OutboxMessage` in the caller's transaction; once it commits,
a Celery task sends it through the sender registered for its channel. A provider that
is down delays a message, never loses it:

- queued -> sending -> sent (-> delivered -> read, from provider status callbacks),
  or failed, with the reason in `last_error`;
- a retryable error puts the message back to queued with `next_attempt_at` after a
  backoff (30 s, 2 min, 10 min, 1 h, 6 h), then it fails after MAX_ATTEMPTS;
- the row is the schedule, not a Celery countdown: a countdown longer than the Redis
  visibility timeout is redelivered in a loop (docs/providers.md#celery-on-redis),
  and a task lost with the broker or a crashed worker must not lose the message.
  `deliver_due()` (beat, every 30 s) sends whatever is due.

A worker claims a message by leasing it (status sending, `next_attempt_at` = end of
the lease) in a short transaction, and calls the provider outside any transaction.
A second worker finds it locked or leased and leaves it alone; a worker that dies
mid-send leaves a lease that runs out, and the sweep sends the message again. So a
message goes out at least once, and twice only after a crash at the wrong moment.
"""

import contextlib
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import make_msgid, parseaddr

from django.conf import settings
from django.core.mail.utils import DNS_NAME
from django.db import transaction
from django.db.models import Count, Min, Q
from django.utils import timezone

from performile import broker
from performile.models import OutboxMessage
from performile.transactions import after_commit

logger = logging.getLogger(__name__)

Channel = OutboxMessage.Channel
Status = OutboxMessage.Status

# The wait after the 1st, 2nd, ... failed attempt; the attempt after the last one is
# the final one.
BACKOFF = (
    timedelta(seconds=30),
    timedelta(minutes=2),
    timedelta(minutes=10),
    timedelta(hours=1),
    timedelta(hours=6),
)
MAX_ATTEMPTS = len(BACKOFF) + 1
# How long a worker holds a message while it sends: longer than outbox_deliver's hard
# time limit, so no two workers send one message, unless the first one is gone.
LEASE = timedelta(minutes=5)
# One sweep sends at most this many messages, for at most this long (it runs every
# 30 s; the next one carries on).
SWEEP_BATCH = 200
SWEEP_SECONDS = 25
ERROR_MAX_LENGTH = 2000


class SendError(Exception):
    """A sender could not send: `retryable` when trying later may work (the provider
    is down or busy), not when it never will (a refused number, no configuration)."""

    def __init__(
        self, message: str, *, retryable: bool, retry_after: float | None = None
    ):
        super().__init__(message)
        self.message = message
        self.retryable = retryable
        # The provider's own "try again in" (a 429's Retry-After), when longer
        # than our backoff.
        self.retry_after = retry_after


Sender = Callable[[OutboxMessage], str]


@dataclass(frozen=True)
class _Registration:
    send: Sender
    ready: Callable[[], bool]


_senders: dict[str, _Registration] = {}


def register_sender(
    channel: str, send: Sender, *, ready: Callable[[], bool] | None = None
) -> None:
    """`send(message)` sends one message and returns the provider's id for it, or
    raises SendError. `ready()` tells whether the channel is configured at all."""
    if channel not in Channel.values:
        raise ValueError(f"Unknown outbox channel {channel!r}.")
    _senders[channel] = _Registration(send=send, ready=ready or (lambda: True))


def channel_ready(channel: str) -> bool:
    """Can messages on this channel go out (a sender is registered and configured)?"""
    registration = _senders.get(channel)
    return registration is not None and registration.ready()


def enqueue(
    *,
    channel: str,
    recipient: str,
    body: str,
    subject: str = "",
    html: str = "",
    headers: dict | None = None,
    order_id: int | None = None,
    template: dict | None = None,
    attachments: list[dict] | None = None,
    send_at=None,
    digest_key: str = "",
    digest_window: timedelta = timedelta(0),
    hold: Callable[[datetime], datetime] | None = None,
) -> OutboxMessage:
    """Queue a message in the current transaction; it is sent after commit, or
    from `send_at` (by the sweep, within its 30 s) when that is later.

    A digest: messages with one `digest_key` become one. While one of them is still
    held, a new one replaces its text (the newest says it all); within
    `digest_window` of the last one, a new one is held until the window ends.
    `hold(at)` moves a due time it may not go at (quiet hours) to one it may.
    `template`: what the channel's sender sends instead of `body` (a provider
    template, such as WhatsApp's outside its 24-hour window); `body` is its text.
    An email's `html` goes beside its text `body` (the text is for clients that
    show no HTML).
    `attachments`: files in the default storage an email carries ({"name",
    "filename", "content_type"}: performile.senders)."""
    attachments = list(attachments or [])
    now = timezone.now()
    due = max(send_at or now, now)
    if digest_key and not getattr(_history, "active", False):
        held = _held(digest_key, now)
        if held is not None:
            held.subject, held.body = subject, body
            held.template, held.html = template, html
            held.attachments = attachments  # the newest's files, with its text
            held.save(
                update_fields=["subject", "body", "template", "html", "attachments"]
            )
            return held
        due = max(due, _window_end(digest_key, digest_window, now))
    if hold is not None:
        due = hold(due)
    message = _message(
        channel=channel,
        recipient=recipient,
        body=body,
        subject=subject,
        html=html,
        headers=headers,
        order_id=order_id,
        template=template,
        attachments=attachments,
        digest_key=digest_key,
    )
    if getattr(_history, "active", False):
        message.status, message.sent_at = Status.SENT, timezone.now()
        message.save()
        return message
    message.next_attempt_at = due
    message.save()
    if message.next_attempt_at <= now:
        # A broker that is down at commit must not fail the caller's request: the
        # sweep sends the message instead.
        after_commit(_schedule, message.pk)
    return message


def _held(digest_key: str, now) -> OutboxMessage | None:
    """The digest's message still waiting to go (never tried), locked; a sender
    that claims it first takes it out of the digest."""
    return (
        OutboxMessage.objects.select_for_update()
        .filter(
            digest_key=digest_key,
            status=Status.QUEUED,
            attempts=0,
            next_attempt_at__gt=now,
        )
        .order_by("-id")
        .first()
    )


def _window_end(digest_key: str, window: timedelta, now):
    """When the window opened by the digest's last message ends (`now` when it
    has ended)."""
    last = (
        OutboxMessage.objects.filter(digest_key=digest_key, created_at__gt=now - window)
        .order_by("-id")
        .first()
    )
    return last.created_at + window if last is not None else now


def history_write(messages: list[tuple]) -> list[OutboxMessage]:
    """Messages of a past written in bulk, each (when, `enqueue` keyword arguments):
    recorded as sent then, as `enqueue` records them within `recording_history()`
    at that time, in one INSERT."""
    return OutboxMessage.objects.bulk_create(
        _message(**values, status=Status.SENT, created_at=at, sent_at=at)
        for at, values in messages
    )


def _message(*, channel: str, recipient: str, headers=None, **fields) -> OutboxMessage:
    """An unsaved message, checked, its email's Message-ID set."""
    if channel not in Channel.values:
        raise ValueError(f"Unknown outbox channel {channel!r}.")
    if not recipient:
        raise ValueError("An outbox message needs a recipient.")
    headers = dict(headers or {})
    if channel == Channel.EMAIL:
        # Known before sending and the same on every attempt: replies thread on it,
        # and a mail client drops a repeated copy.
        headers.setdefault("Message-ID", _new_message_id())
    return OutboxMessage(
        channel=channel, recipient=recipient, headers=headers, **fields
    )


_history = threading.local()


@contextlib.contextmanager
def recording_history():
    """Within this block (in this thread), messages are recorded as sent and never
    go out: for writing a believable past, as the demo data does, without mailing
    its customers today."""
    _history.active = True
    try:
        yield
    finally:
        _history.active = False


def is_recording_history() -> bool:
    """Whether this thread is inside `recording_history()`."""
    return getattr(_history, "active", False)


def deliver(message_id: int) -> OutboxMessage | None:
    """Send the message if it is due. Returns it as it stands afterwards, or None
    when it is not due (sent already, failed, waiting for a retry, or being sent by
    another worker)."""
    message = _claim(message_id)
    if message is None:
        return None
    registration = _senders.get(message.channel)
    try:
        if registration is None:
            raise SendError(
                f"No sender is registered for the {message.channel} channel.",
                retryable=False,
            )
        provider_id = registration.send(message)
    except SendError as exc:
        return _record_failure(
            message, exc.message, retryable=exc.retryable, retry_after=exc.retry_after
        )
    except Exception as exc:
        # A bug or an answer nobody foresaw: worth another try, and loud in the log.
        logger.exception("outbox message %s: the sender crashed", message.pk)
        return _record_failure(message, f"{type(exc).__name__}: {exc}", retryable=True)
    return _record_sent(message, provider_id)


def deliver_due(*, batch: int = SWEEP_BATCH, seconds: float = SWEEP_SECONDS) -> int:
    """Send the messages that are due: retries whose backoff has passed, messages
    whose task was lost, leases a dead worker left behind. Returns how many it
    handled."""
    started = time.monotonic()
    due_ids = list(
        OutboxMessage.objects.filter(due(timezone.now()))
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:batch]
    )
    handled = 0
    for message_id in due_ids:
        if time.monotonic() - started > seconds:
            break
        if deliver(message_id) is not None:
            handled += 1
    return handled


def backlog() -> dict[str, tuple[int, float]]:
    """Messages not yet sent (queued, waiting for a retry, or being sent), per
    channel: (how many, seconds since the oldest was queued); /metrics."""
    now = timezone.now()
    rows = (
        OutboxMessage.objects.filter(status__in=[Status.QUEUED, Status.SENDING])
        .values_list("channel")
        .annotate(count=Count("pk"), oldest=Min("created_at"))
    )
    waiting = dict.fromkeys(Channel.values, (0, 0.0))
    for channel, count, oldest in rows:
        waiting[channel] = (count, max((now - oldest).total_seconds(), 0.0))
    return waiting


# How far along a sent message is; a provider's status callbacks arrive out of order
# and more than once, and a message never moves back.
_PROGRESS = {Status.SENT: 1, Status.DELIVERED: 2, Status.READ: 3}


def record_status(
    *, channel: str, provider_message_id: str, status: str, error: str = ""
) -> OutboxMessage | None:
    """A provider's news about a message it took (delivered, read, failed). Returns
    the message, or None when none has that provider id on that channel."""
    if status not in (Status.SENT, Status.DELIVERED, Status.READ, Status.FAILED):
        raise ValueError(f"Not a delivery status: {status!r}.")
    with transaction.atomic():
        message = (
            OutboxMessage.objects.select_for_update()
            .filter(channel=channel, provider_message_id=provider_message_id)
            .exclude(provider_message_id="")
            .first()
        )
        if message is None:
            return None
        if status == Status.FAILED:
            if message.status != Status.READ:
                message.status = Status.FAILED
                message.last_error = (error or "The provider could not deliver it.")[
                    :ERROR_MAX_LENGTH
                ]
                message.save(update_fields=["status", "last_error"])
        elif _PROGRESS.get(status, 0) > _PROGRESS.get(message.status, 0):
            message.status = status
            message.save(update_fields=["status"])
    return message


def due(now) -> Q:
    return Q(status__in=[Status.QUEUED, Status.SENDING], next_attempt_at__lte=now)


def _claim(message_id: int) -> OutboxMessage | None:
    now = timezone.now()
    with transaction.atomic():
        message = (
            OutboxMessage.objects.select_for_update(skip_locked=True)
            .filter(due(now), pk=message_id)
            .first()
        )
        if message is None:
            return None
        message.status = Status.SENDING
        message.attempts += 1
        message.next_attempt_at = now + LEASE
        message.save(update_fields=["status", "attempts", "next_attempt_at"])
    return message


def _record_sent(message: OutboxMessage, provider_id: str) -> OutboxMessage:
    message.status = Status.SENT
    message.provider_message_id = (provider_id or "")[:255]
    message.sent_at = timezone.now()
    message.next_attempt_at = None
    message.last_error = ""
    message.save(
        update_fields=[
            "status",
            "provider_message_id",
            "sent_at",
            "next_attempt_at",
            "last_error",
        ]
    )
    return message


def _record_failure(
    message: OutboxMessage,
    reason: str,
    *,
    retryable: bool,
    retry_after: float | None = None,
) -> OutboxMessage:
    if retryable and message.attempts < MAX_ATTEMPTS:
        wait = max(BACKOFF[message.attempts - 1], timedelta(seconds=retry_after or 0))
        message.status = Status.QUEUED
        message.next_attempt_at = timezone.now() + wait
        logger.warning(
            "outbox message %s (%s) attempt %s failed, retrying in %s: %s",
            message.pk,
            message.channel,
            message.attempts,
            wait,
            reason,
        )
    else:
        if retryable:
            reason = f"{reason} (gave up after {message.attempts} attempts)"
        message.status = Status.FAILED
        message.next_attempt_at = None
        logger.error(
            "outbox message %s (%s) failed: %s", message.pk, message.channel, reason
        )
    message.last_error = reason[:ERROR_MAX_LENGTH]
    message.save(update_fields=["status", "next_attempt_at", "last_error"])
    return message


def _schedule(message_id: int) -> None:
    from performile.tasks import outbox_deliver

    broker.enqueue(outbox_deliver, message_id)


def _new_message_id() -> str:
    address = parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
    domain = address.rpartition("@")[2] or str(DNS_NAME)
    return make_msgid(domain=domain)
