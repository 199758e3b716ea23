"""Sending the satisfaction question (docs/csat.md): the beat's sweep takes the
surveys whose time has come, checks again that they still apply, and queues the
question in the customer's language on the channels they chose."""

import logging

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from messaging import email_threads
from messaging.models import SatisfactionSurvey, Thread
from messaging.notifications.customers import (
    Channel,
    after_quiet_hours,
    notification_preference,
    notification_routes,
    quiet_hours_of,
)
from messaging.selectors import store_name_for_customers
from messaging.services import thread_get_or_create
from messaging.services.satisfaction import (
    DELAY,
    ONCE_PER,
    RATING_WORDS,
    survey_refusal,
    survey_token,
)
from orders.languages import order_language, writing_to
from performile import outbox

logger = logging.getLogger(__name__)

Survey = SatisfactionSurvey
SWEEP_BATCH = 200


def surveys_send_due() -> int:
    """Send (or drop) every survey whose time has come; the number handled. Two
    sweeps at once are safe: each survey is claimed with SKIP LOCKED."""
    handled, failed = 0, set()
    while handled < SWEEP_BATCH:
        with transaction.atomic():
            survey = _next_due(failed)
            if survey is None:
                return handled
            try:
                with transaction.atomic():
                    survey_send(survey)
            except Exception:
                # One survey that cannot be sent must not hold up the others;
                # the next sweep tries it again.
                logger.exception("survey %s not sent", survey.pk)
                failed.add(survey.pk)
        handled += 1
    return handled


def _next_due(failed: set[int]) -> Survey | None:
    return (
        Survey.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("order__store", "order__customer", "order__merchant")
        .filter(status=Survey.Status.SCHEDULED, due_at__lte=timezone.now())
        .exclude(pk__in=failed)
        .order_by("due_at", "pk")
        .first()
    )


def survey_send(survey: Survey) -> None:
    """Ask the question now, drop the survey when it no longer applies, or wait
    when its conversation was closed again lately (inside a transaction that
    holds the survey)."""
    order = survey.order
    thread = Thread.objects.filter(order=order).first()
    now = timezone.now()
    if _closed_again_lately(survey, thread, now):
        survey.due_at = thread.closed_at + DELAY
        survey.save(update_fields=["due_at"])
        return
    reason = _drop_reason(survey, thread, now)
    routes = [] if reason else _routes(order.customer)
    if reason is None and not routes:
        reason = "no channel reaches the customer"
    if reason is not None:
        survey.status, survey.dropped_reason = Survey.Status.DROPPED, reason
        survey.save(update_fields=["status", "dropped_reason"])
        logger.info("survey %s dropped: %s", survey.pk, reason)
        return
    with writing_to(order_language(order)):
        for channel, recipient in routes:
            _enqueue(survey, channel, recipient)
    survey.status, survey.sent_at = Survey.Status.SENT, now
    survey.channels = [channel for channel, _recipient in routes]
    survey.save(update_fields=["status", "sent_at", "channels"])


def _closed_again_lately(survey: Survey, thread: Thread | None, now) -> bool:
    """Closed, reopened and closed again: the hour counts from the last close."""
    return bool(
        survey.trigger == Survey.Trigger.CLOSED
        and thread
        and thread.closed_at
        and thread.closed_at + DELAY > now
    )


def _routes(customer) -> list[tuple[str, str]]:
    preference = notification_preference(customer=customer)
    return notification_routes(customer=customer, preference=preference)


def _drop_reason(survey: Survey, thread: Thread | None, now) -> str | None:
    reason = survey_refusal(survey.order)
    if reason is not None:
        return reason
    if survey.trigger == Survey.Trigger.CLOSED and (thread is None or thread.is_open):
        return "conversation reopened"
    if thread is not None and thread.is_open and thread.awaiting_reply_since:
        return "customer waiting for a reply"
    sent_lately = Survey.objects.filter(
        order_id=survey.order_id,
        status=Survey.Status.SENT,
        sent_at__gte=now - ONCE_PER,
    )
    if sent_lately.exists():
        return "asked about the order lately"
    return None


def _enqueue(survey: Survey, channel: str, recipient: str):
    order = survey.order
    link = survey_link(survey)
    store = store_name_for_customers(order.store)
    message = {
        "channel": channel,
        "recipient": recipient,
        "order_id": order.pk,
        "body": question_text(store, order.order_number, link),
    }
    if channel == Channel.EMAIL:
        thread = thread_get_or_create(order=order)
        message.update(
            subject=_("How did we do with your order %(number)s?")
            % {"number": order.order_number},
            body=question_email(order, link),
            headers=email_threads.reply_headers(thread, None),
        )
        return outbox.enqueue(**message)
    zone = order.merchant.zone
    quiet = quiet_hours_of(notification_preference(customer=order.customer))
    return outbox.enqueue(**message, hold=lambda at: after_quiet_hours(at, zone, quiet))


def survey_link(survey: Survey, rating: int | None = None) -> str:
    path = reverse("satisfaction:rate", args=[survey_token(survey)])
    query = f"?rating={rating}" if rating else ""
    return settings.PUBLIC_BASE_URL.rstrip("/") + path + query


def question_text(store: str, number: str, link: str) -> str:
    """The SMS and WhatsApp question, in the active language."""
    return _(
        "%(store)s: How did we do with your order %(number)s? Reply with a number"
        " from 1 (poor) to 5 (excellent), or answer here: %(link)s"
    ) % {"store": store, "number": number, "link": link}


def question_email(order, link_base: str) -> str:
    """The email: a greeting, the question and one link per rating."""
    name = order.customer.name if order.customer_id else ""
    store = store_name_for_customers(order.store)
    choices = "\n".join(
        f"{rating} {RATING_WORDS[rating]}: {link_base}?rating={rating}"
        for rating in range(5, 0, -1)
    )
    lines = [
        _("Hello %(name)s,") % {"name": name} if name else _("Hello,"),
        "",
        _("How did we do with your order %(number)s from %(store)s?")
        % {"number": order.order_number, "store": store},
        _("Choose a rating; it takes a second, and you can add a comment."),
        "",
        choices,
        "",
        _("Thank you for helping us do better."),
        "",
        _("Kind regards,") + f"\n{store}",
    ]
    return "\n".join(lines)
