"""Courier performance: on time, early or delayed against the first promised ETA,
and delivery time, per courier account and service, over a period."""

from datetime import UTC, datetime, time, timedelta

from django.db.models import Aggregate, Count, Exists, FloatField, OuterRef, Q
from django.db.models.expressions import RawSQL
from django.utils import timezone

from shipments.couriers.base import ServiceType
from shipments.models import Shipment, TrackingEvent
from shipments.selectors import visible_shipments

SERVICE_NAMES = dict(ServiceType.CHOICES)
# Hours from booking to delivery.
DELIVERY_HOURS = RawSQL(
    "EXTRACT(EPOCH FROM (shipments_shipment.delivered_at"
    " - shipments_shipment.created_at)) / 3600.0",
    [],
    output_field=FloatField(),
)


class PercentileCont(Aggregate):
    function = "percentile_cont"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()

    def __init__(self, expression, fraction: float, **extra):
        super().__init__(expression, fraction=fraction, **extra)


def period(since=None, until=None) -> dict:
    """The period asked for, defaulting to the last 30 days."""
    until = until or timezone.now().date()
    return {"since": since or until - timedelta(days=30), "until": until}


def courier_performance(user, *, since, until) -> list[dict]:
    """One row per courier account and service for parcels delivered in
    [since, until] (dates, UTC)."""
    delivered_on = RawSQL(
        "(shipments_shipment.delivered_at AT TIME ZONE 'UTC')::date", []
    )
    # Parcels booked here only: a tracked-only parcel's clock starts when we heard
    # of it, and a catch-all account would take credit for another courier's work.
    shipments = visible_shipments(user).filter(
        kind=Shipment.Kind.BOOKED,
        delivered_at__gte=datetime.combine(since, time.min, tzinfo=UTC),
        delivered_at__lte=datetime.combine(until, time.max, tzinfo=UTC),
    )
    had_exception = Exists(
        TrackingEvent.objects.filter(shipment=OuterRef("pk"), status="exception")
    )
    rows = (
        shipments.annotate(delivered_on=delivered_on, had_exception=had_exception)
        .values("account_id", "account__name", "service_type")
        .annotate(
            delivered=Count("pk"),
            promised=Count("pk", filter=Q(promised_delivery__isnull=False)),
            early=Count(
                "pk", filter=Q(delivered_on__lt=RawSQL("promised_delivery", []))
            ),
            on_time=Count("pk", filter=Q(delivered_on=RawSQL("promised_delivery", []))),
            delayed=Count(
                "pk", filter=Q(delivered_on__gt=RawSQL("promised_delivery", []))
            ),
            exceptions=Count("pk", filter=Q(had_exception=True)),
            p50_hours=PercentileCont(DELIVERY_HOURS, 0.5),
            p90_hours=PercentileCont(DELIVERY_HOURS, 0.9),
        )
        .order_by("account__name", "service_type")
    )
    return [_row(row) for row in rows]


def _row(row: dict) -> dict:
    punctual = row["early"] + row["on_time"]
    return {
        "account": row["account_id"],
        "courier": row["account__name"],
        "service_type": row["service_type"],
        "service_name": SERVICE_NAMES.get(row["service_type"], row["service_type"]),
        "delivered": row["delivered"],
        "early": row["early"],
        "on_time": row["on_time"],
        "delayed": row["delayed"],
        "on_time_rate": round(punctual / row["promised"], 4)
        if row["promised"]
        else None,
        "p50_hours": _hours(row["p50_hours"]),
        "p90_hours": _hours(row["p90_hours"]),
        "exceptions": row["exceptions"],
    }


def _hours(value) -> float | None:
    return None if value is None else round(value, 1)


def performance_charts(rows: list[dict]) -> dict:
    """The page's rows as charts: parcels on time, early and delayed per courier
    and service (stacked), and their delivery hours (p50, p90)."""
    labels = [f"{row['courier']} · {row['service_name']}" for row in rows]

    def series(label: str, key: str) -> dict:
        return {"label": label, "values": [row[key] for row in rows]}

    return {
        "punctuality": {
            "labels": labels,
            "series": [
                series("On time", "on_time"),
                series("Early", "early"),
                series("Delayed", "delayed"),
            ],
        },
        "hours": {
            "labels": labels,
            "series": [series("p50", "p50_hours"), series("p90", "p90_hours")],
        },
    }
