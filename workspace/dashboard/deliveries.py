"""Parcel punctuality and delivery times on the dashboard, by the Couriers page's
rule (`shipments.performance`): parcels booked here, delivered on UTC dates,
early or on time against the first promise."""

import datetime as dt

from django.db.models import Count, IntegerField, Q
from django.db.models.expressions import RawSQL

from shipments.models import Shipment
from shipments.selectors import visible_shipments
from workspace.dashboard.board import WEEKS, Dashboard, Number, day_label, list_url

# Hours from booking to delivery: the delivery-time chart's buckets (upper bounds).
DELIVERY_BUCKETS = (24, 48, 72, 96, 120)

# UTC date of delivery, against the promised date (shipments.performance's rule).
DELIVERED_ON = RawSQL("(shipments_shipment.delivered_at AT TIME ZONE 'UTC')::date", [])
PROMISED = RawSQL("promised_delivery", [])
# 0 below the first bound of DELIVERY_BUCKETS, 1 below the second, ...
DELIVERY_BUCKET = RawSQL(
    "width_bucket(shipments_shipment.delivered_at - shipments_shipment.created_at,"
    " %s::interval[])",
    ([dt.timedelta(hours=hours) for hours in DELIVERY_BUCKETS],),
    output_field=IntegerField(),
)


def delivery_rows(user, since: dt.date, until: dt.date) -> list[dict]:
    """Parcels delivered in [since, until] (UTC dates) per courier, day of delivery
    and delivery-time bucket (`DELIVERY_BUCKET`), with how many had a promise and
    how many kept it: one grouped query. The rule and the parcels are the Couriers
    page's (`shipments.performance`): booked here, delivered on the UTC dates,
    early or on time against the first promise."""
    has_promise = Q(promised_delivery__isnull=False)
    return list(
        delivered(user, since, until)
        .annotate(delivered_on=DELIVERED_ON, bucket=DELIVERY_BUCKET)
        .values("account__name", "delivered_on", "bucket")
        .annotate(
            n=Count("pk"),
            promised=Count("pk", filter=has_promise),
            punctual=Count("pk", filter=has_promise & Q(delivered_on__lte=PROMISED)),
        )
        .order_by()
    )


def punctuality(board: Dashboard, first_week: dt.date, rows: list[dict]) -> None:
    """The on-time rate of today and of the 30 days, the rate per courier per
    week (from `first_week`) and the delivery times."""
    weeks = [first_week + dt.timedelta(weeks=n) for n in range(WEEKS)]
    per_week: dict[str, list[list[int]]] = {}
    totals = {key: [0, 0] for key in ("day", "month")}  # punctual, promised
    histogram = [0] * (len(DELIVERY_BUCKETS) + 1)
    for row in rows:
        day = row["delivered_on"]
        if day >= first_week:
            week = per_week.setdefault(row["account__name"], [[0, 0] for _ in weeks])
            week[(day - first_week).days // 7][0] += row["punctual"]
            week[(day - first_week).days // 7][1] += row["promised"]
        if day >= board.since:
            histogram[row["bucket"]] += row["n"]
        for key, since in (("day", board.today), ("month", board.since)):
            if day >= since:
                totals[key][0] += row["punctual"]
                totals[key][1] += row["promised"]
    for window, since, key in (
        (board.day, board.today, "day"),
        (board.month, board.since, "month"),
    ):
        punctual, promised = totals[key]
        link = list_url(
            "shipments:performance",
            since=since.isoformat(),
            until=board.today.isoformat(),
        )
        window.on_time = Number(punctual / promised if promised else None, link)
    bounds = list(zip(DELIVERY_BUCKETS, DELIVERY_BUCKETS[1:], strict=False))
    labels = [f"< {DELIVERY_BUCKETS[0]} h"]
    labels += [f"{lower}–{upper} h" for lower, upper in bounds]
    labels.append(f"{DELIVERY_BUCKETS[-1]} h +")
    board.charts["delivery_times"] = {"labels": labels, "values": histogram}
    board.charts["on_time_weekly"] = {
        "labels": [f"Week of {day_label(week)}" for week in weeks],
        "series": [
            {
                "label": name,
                "values": [
                    round(100 * punctual / promised, 1) if promised else None
                    for punctual, promised in counts
                ],
            }
            for name, counts in sorted(per_week.items())
        ],
    }


def delivered(user, since: dt.date, until: dt.date):
    """Parcels booked here and delivered in [since, until] (UTC dates), as on the
    Couriers page."""
    return visible_shipments(user).filter(
        kind=Shipment.Kind.BOOKED,
        delivered_at__gte=dt.datetime.combine(since, dt.time.min, tzinfo=dt.UTC),
        delivered_at__lte=dt.datetime.combine(until, dt.time.max, tzinfo=dt.UTC),
    )
