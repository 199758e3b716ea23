"""Demo answers to "How did we do?" (docs/csat.md): the demo's recently delivered
orders and its closed conversations were asked an hour after, and most customers
answered, so the support metrics show customer satisfaction. Written as history
(the rows as the sweep and the answers leave them): nobody is sent anything."""

import random
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from messaging.models import SatisfactionSurvey
from messaging.services.satisfaction import DELAY
from orders.models import Order, OrderEvent
from orders.state_machine import OrderStatus as S

Survey = SatisfactionSurvey
# Mostly happy customers, a few who were not.
RATINGS = (5, 5, 5, 4, 4, 4, 4, 3, 2, 1)
COMMENTS = {
    5: ["Fast delivery and a friendly answer, thank you!", "Perfect, as always."],
    4: ["Good, the parcel took a day longer than expected."],
    3: ["OK, but I had to ask twice."],
    2: ["The box was damaged when it arrived."],
    1: ["Nobody answered my first two emails."],
}
ANSWERED_SHARE = 0.7


def demo_surveys_create(*, orders, seed: int = 2026, delivered: int = 30) -> int:
    """Ask about the latest `delivered` of `orders` delivered in the last month,
    settle the surveys the demo's closed conversations scheduled, and answer most
    of them; how many surveys were written or settled."""
    rng = random.Random(seed)
    now = timezone.now()
    with transaction.atomic():
        new = _delivered_surveys(orders, delivered, now)
        Survey.objects.bulk_create(new)
        settled = list(
            Survey.objects.filter(order__in=orders, status=Survey.Status.SCHEDULED)
        )
        for survey in [*new, *settled]:
            _sent_and_answered(survey, rng, now)
        Survey.objects.bulk_update(
            [*new, *settled],
            ["status", "sent_at", "channels", "rating", "comment", "answered_at"]
            + ["answered_via"],
        )
    return len(new) + len(settled)


def _delivered_surveys(orders, limit: int, now) -> list[Survey]:
    events = (
        OrderEvent.objects.filter(
            order__in=orders.exclude(customer=None).exclude(customer__email=""),
            kind=OrderEvent.Kind.STATUS_CHANGED,
            to_status__in=[S.DELIVERED, S.COMPLETE],
            created_at__gte=now - timedelta(days=30),
            created_at__lte=now - DELAY,
        )
        .exclude(order__satisfaction_surveys__isnull=False)
        .select_related("order")
        .order_by("order_id", "created_at")
        .distinct("order_id")
    )
    found = sorted(events, key=lambda event: event.created_at, reverse=True)[:limit]
    return [_survey(event.order, event.created_at) for event in found]


def _survey(order: Order, at) -> Survey:
    return Survey(
        order=order,
        merchant_id=order.merchant_id,
        store_id=order.store_id,
        customer_id=order.customer_id,
        trigger=Survey.Trigger.DELIVERED,
        created_at=at,
        due_at=at + DELAY,
    )


def _sent_and_answered(survey: Survey, rng: random.Random, now) -> None:
    survey.status = Survey.Status.SENT
    survey.sent_at = min(survey.due_at, now)
    survey.channels = ["email"]
    if rng.random() >= ANSWERED_SHARE:
        return
    rating = rng.choice(RATINGS)
    survey.rating = rating
    survey.comment = rng.choice(COMMENTS[rating]) if rng.random() < 0.5 else ""
    survey.answered_at = min(
        survey.sent_at + timedelta(minutes=rng.randint(3, 600)), now
    )
    survey.answered_via = Survey.Via.LINK
