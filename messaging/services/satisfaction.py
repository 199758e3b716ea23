"""The satisfaction question (docs/csat.md): scheduled when a conversation is
closed or an order delivered, answered by the link in it or by a text reply that
is just a digit from 1 to 5. Sending it is messaging.notifications.satisfaction's.
"""

import re
from datetime import timedelta

from django.core import signing
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy

from messaging.models import Message, NotificationPreference, SatisfactionSurvey
from messaging.selectors import support_settings
from orders.models import Order
from performile.errors import ApplicationError

Survey = SatisfactionSurvey
# Asked this long after the close or the delivery: a conversation reopened in
# the meantime is not surveyed.
DELAY = timedelta(hours=1)
# One question per order within this time, whatever triggers it again.
ONCE_PER = timedelta(days=30)
# A text reply that is only a digit counts as the rating this long after asking.
REPLY_WINDOW = timedelta(days=7)
# The link in the question works this long.
LINK_MAX_AGE = timedelta(days=30)
LINK_SALT = "messaging.satisfaction.link"
COMMENT_LIMIT = 2000
RATINGS = range(1, 6)
DIGIT_REPLY = re.compile(r"\s*([1-5])\s*[.!]?\s*")
RATING_WORDS = {
    5: gettext_lazy("Excellent"),
    4: gettext_lazy("Good"),
    3: gettext_lazy("Okay"),
    2: gettext_lazy("Poor"),
    1: gettext_lazy("Very poor"),
}
REPLY_CHANNELS = {
    Message.Channel.SMS: Survey.Via.SMS,
    Message.Channel.WHATSAPP: Survey.Via.WHATSAPP,
}


class SurveyLinkInvalid(ApplicationError):
    code = "survey_link_invalid"


class SurveyLinkExpired(SurveyLinkInvalid):
    code = "survey_link_expired"


def survey_schedule(*, order: Order, trigger: str) -> Survey | None:
    """Ask the order's customer "How did we do?" after DELAY, unless they will not
    be asked (`survey_refusal`) or were asked about the order within ONCE_PER."""
    if survey_refusal(order) is not None:
        return None
    if trigger == Survey.Trigger.CLOSED and not _customer_wrote(order):
        return None
    now = timezone.now()
    if _asked_recently(order, now):
        return None
    try:
        # A close and a delivery at once: one scheduled survey per order (a
        # partial unique index), the second insert is refused.
        with transaction.atomic():
            return Survey.objects.create(
                order=order,
                merchant_id=order.merchant_id,
                store_id=order.store_id,
                customer_id=order.customer_id,
                trigger=trigger,
                created_at=now,
                due_at=now + DELAY,
            )
    except IntegrityError:
        return None


def survey_refusal(order: Order) -> str | None:
    """Why the order's customer is not asked, or None when they may be."""
    customer = order.customer if order.customer_id else None
    if customer is None:
        return "no customer"
    if customer.is_erased:
        return "customer erased"
    if not support_settings([order.store_id])[order.store_id].satisfaction_surveys:
        return "store switched surveys off"
    preference = NotificationPreference.objects.filter(customer=customer).first()
    if preference is not None and not preference.order_updates:
        return "customer turned order updates off"
    return None


def _customer_wrote(order: Order) -> bool:
    return Message.objects.filter(
        thread__order=order,
        direction=Message.Direction.INBOUND,
        author_customer_id=order.customer_id,
    ).exists()


def _asked_recently(order: Order, now) -> bool:
    surveys = Survey.objects.filter(order=order)
    return (
        surveys.filter(status=Survey.Status.SCHEDULED).exists()
        or surveys.filter(
            status=Survey.Status.SENT, sent_at__gte=now - ONCE_PER
        ).exists()
    )


# --- Answers --------------------------------------------------------------------------


def survey_rate(
    *, survey: Survey, rating, comment: str = "", via: str = Survey.Via.LINK
) -> Survey:
    """Record the customer's rating (1 to 5) and comment. Rating again replaces the
    earlier answer: the latest is what the customer thinks now."""
    value = _rating(rating)
    comment = (comment or "").strip()
    if len(comment) > COMMENT_LIMIT:
        raise ApplicationError(
            "The comment is too long.",
            fields={"comment": [f"At most {COMMENT_LIMIT} characters."]},
        )
    with transaction.atomic():
        survey = Survey.objects.select_for_update().get(pk=survey.pk)
        if survey.status != Survey.Status.SENT:
            raise SurveyLinkInvalid("This survey was never sent.")
        survey.rating = value
        if comment or via == Survey.Via.LINK:
            survey.comment = comment
        survey.answered_at = timezone.now()
        survey.answered_via = via
        survey.save(update_fields=["rating", "comment", "answered_at", "answered_via"])
    return survey


def _rating(raw) -> int:
    try:
        value = int(str(raw).strip())
    except (TypeError, ValueError):
        value = 0
    if value not in RATINGS:
        raise ApplicationError(
            "Choose a rating from 1 to 5.", fields={"rating": ["From 1 to 5."]}
        )
    return value


def survey_rate_by_reply(message: Message) -> Survey | None:
    """A customer's SMS or WhatsApp message that is only a digit from 1 to 5,
    within REPLY_WINDOW of a question to them, is their rating (the newest
    question's). None when the message is anything else."""
    via = REPLY_CHANNELS.get(message.channel)
    match = DIGIT_REPLY.fullmatch(message.body or "")
    if via is None or match is None or not message.author_customer_id:
        return None
    survey = (
        Survey.objects.filter(
            customer_id=message.author_customer_id,
            status=Survey.Status.SENT,
            sent_at__gte=message.created_at - REPLY_WINDOW,
            sent_at__lte=message.created_at,
        )
        .order_by("-sent_at", "-pk")
        .first()
    )
    if survey is None:
        return None
    return survey_rate(survey=survey, rating=match.group(1), via=via)


# --- The link ---------------------------------------------------------------------


def survey_token(survey: Survey) -> str:
    return signing.dumps([survey.pk, survey.nonce], salt=LINK_SALT)


def survey_from_token(token: str) -> Survey:
    """The survey a link names; SurveyLinkInvalid for a link that was changed or
    names no survey, SurveyLinkExpired after LINK_MAX_AGE."""
    try:
        pk, nonce = signing.loads(
            token, salt=LINK_SALT, max_age=LINK_MAX_AGE.total_seconds()
        )
    except signing.SignatureExpired as exc:
        raise SurveyLinkExpired("This link has expired.") from exc
    except (signing.BadSignature, TypeError, ValueError) as exc:
        raise SurveyLinkInvalid("This link is not valid.") from exc
    survey = (
        Survey.objects.select_related("store", "order", "customer")
        .filter(pk=pk, nonce=nonce, status=Survey.Status.SENT)
        .first()
    )
    if survey is None or survey.customer.is_erased:
        raise SurveyLinkInvalid("This link is not valid.")
    return survey
