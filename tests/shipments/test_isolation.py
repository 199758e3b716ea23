"""Every shipments URL (REST and HTML), asked by a merchant's staff for another
merchant's records, answers 404 (or refuses the foreign id as unknown) and changes
nothing; and every shipments URL is in this sweep (a new one that is not fails
`test_the_sweep_covers_every_shipments_url`, tests/urls_sweep.py)."""

import pytest
from django.urls import reverse

from orders.models import OrderEvent
from shipments.models import (
    BulkBooking,
    Claim,
    PendingTrackingUpdate,
    Shipment,
    TrackingEvent,
)
from tests.shipments.records import shipment_records
from tests.urls_sweep import app_routes, assert_not_found, assert_swept

pytestmark = pytest.mark.django_db

# The URLs that take an id, by the kind of record the id names.
PARAMETRIZED = {
    "api-shipment-label": "shipment",
    "api-shipment-refresh": "shipment",
    "api-shipment-claims": "shipment",
    "api-claim-status": "claim",
    "api-bulk-booking": "bulk",
    "shipments:book": "order",
    "shipments:claim": "order",
    "shipments:order-panel": "order",
    "shipments:refresh": "shipment",
    "shipments:bulk-progress": "bulk",
}
# The URLs without an id in the path, and how another merchant's ids could reach
# them (None: they list only the caller's own rows).
OTHER_WAYS = {
    "api-shipment-book": "body",
    "api-bulk-book": "body",
    "api-courier-services": "query",
    "shipments:bulk": "query",
    "api-courier-performance": None,
    "shipments:performance": None,
}


@pytest.fixture
def theirs(other_store, other_merchant_staff):
    return shipment_records(other_store, other_merchant_staff)


def _state():
    return [
        model.objects.count()
        for model in (
            Shipment,
            Claim,
            BulkBooking,
            TrackingEvent,
            OrderEvent,
            PendingTrackingUpdate,
        )
    ]


def test_the_sweep_covers_every_shipments_url():
    assert_swept(
        app_routes("shipments.urls", "shipments.api_urls"),
        by_id=PARAMETRIZED,
        other=OTHER_WAYS,
    )


def test_another_merchants_records_are_404_on_every_url(
    client, staff_api, staff_user, theirs
):
    client.force_login(staff_user)
    before = _state()
    for name, kind in PARAMETRIZED.items():
        url = reverse(name, args=[theirs[kind].pk])
        assert_not_found(client, url, {"status": "in_review", "reason": "loss"})
    order, account = theirs["order"], theirs["account"]
    booked = staff_api.post(
        reverse("api-shipment-book"),
        {"order": order.pk, "account": account.pk, "service_code": "SBX_HOME"},
        format="json",
    )
    assert booked.status_code == 404
    bulk = staff_api.post(
        reverse("api-bulk-book"),
        {"orders": [order.pk], "account": account.pk, "service_code": "SBX_HOME"},
        format="json",
    )
    assert bulk.status_code == 400
    assert "account" in bulk.json()["error"]["fields"]
    services = staff_api.get(reverse("api-courier-services"), {"order": order.pk})
    assert services.status_code == 404
    listing = client.get(reverse("shipments:bulk"), {"orders": str(order.pk)})
    assert listing.status_code == 200
    assert order.order_number not in listing.content.decode()
    assert _state() == before
