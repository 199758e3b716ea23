"""Customer satisfaction per store for the support metrics (docs/csat.md): of the
questions sent in the period, how many were answered, the average rating and the
CSAT score, the share of answers that are 4 or 5."""

from dataclasses import dataclass

from django.db.models import Avg, Count, Q

from messaging.models import SatisfactionSurvey
from orders.selectors import visible_order_rows

Survey = SatisfactionSurvey
SATISFIED = 4  # a rating of 4 or 5 counts as a satisfied customer


@dataclass
class Satisfaction:
    sent: int = 0
    answered: int = 0
    satisfied: int = 0
    average_rating: float | None = None
    csat: float | None = None  # satisfied / answered
    response_rate: float | None = None  # answered / sent


def satisfaction_by_store(
    user, *, merchant_ids, store_id, start, end
) -> dict[int, Satisfaction]:
    """Per store, the surveys sent in [start, end) on the orders `user` sees,
    of these merchants (None: all) and this store (None: all)."""
    surveys = visible_order_rows(Survey.objects.all(), user).filter(
        status=Survey.Status.SENT, sent_at__gte=start, sent_at__lt=end
    )
    if merchant_ids is not None:
        surveys = surveys.filter(merchant_id__in=list(merchant_ids))
    if store_id:
        surveys = surveys.filter(store_id=store_id)
    rows = (
        surveys.values("store_id")
        .annotate(
            sent=Count("pk"),
            answered=Count("pk", filter=Q(rating__isnull=False)),
            satisfied=Count("pk", filter=Q(rating__gte=SATISFIED)),
            average_rating=Avg("rating"),
        )
        .order_by()
    )
    return {row.pop("store_id"): _satisfaction(**row) for row in rows}


def _satisfaction(*, sent, answered, satisfied, average_rating) -> Satisfaction:
    return Satisfaction(
        sent=sent,
        answered=answered,
        satisfied=satisfied,
        average_rating=None if average_rating is None else round(average_rating, 2),
        csat=satisfied / answered if answered else None,
        response_rate=answered / sent if sent else None,
    )
