"""Shipments' metrics at /metrics (performile.metrics, docs/faults.md)."""

from collections.abc import Iterable

from prometheus_client.core import Metric

from performile.metrics import gauges
from shipments.polling import shipments_failing_polls


def poll_failures() -> Iterable[Metric]:
    yield gauges(
        "performile_poll_failing_shipments",
        "Shipments still polled whose last poll got no tracking (courier"
        " unavailable, rate limited, or the number not known yet), by courier.",
        "courier",
        shipments_failing_polls(),
    )
