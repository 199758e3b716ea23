"""Every shipments URL (REST and HTML), asked by a merchant's staff for another
merchant's records, answers 404 (or refuses the foreign id as unknown) and changes
nothing; and every shipments URL is in this sweep (a new one that is not fails
`test_the_sweep_covers_every_shipments_url`)."""

from decimal import Decimal

import pytest
from django.urls import get_resolver, reverse

from orders.models import OrderEvent
from orders.state_machine import OrderStatus
from shipments import api_urls
from shipments.models import (
    BulkBooking,
    Claim,
    PendingTrackingUpdate,
    Shipment,
    TrackingEvent,
)
from tests.factories import OrderFactory
from tests.shipments.factories import CourierAccountFactory, ShipmentFactory

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
    order = OrderFactory(
        store=other_store, status=OrderStatus.CONFIRMED, tracking_number="SBX1"
    )
    account = CourierAccountFactory(merchant=other_store.merchant)
    shipment = ShipmentFactory(order=order, account=account, tracking_number="SBX1")
    claim = Claim.objects.create(
        shipment=shipment,
        reason=Claim.Reason.LOSS,
        description="Lost",
        amount=Decimal("10"),
        currency="EUR",
    )
    bulk = BulkBooking.objects.create(
        merchant=other_store.merchant,
        account=account,
        service_code="SBX_HOME",
        service_type="home_delivery",
        order_ids=[order.pk],
        created_by=other_merchant_staff,
    )
    return {
        "order": order,
        "account": account,
        "shipment": shipment,
        "claim": claim,
        "bulk": bulk,
    }


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


def shipments_url_names() -> set[str]:
    _, html = get_resolver().namespace_dict["shipments"]
    return {f"shipments:{p.name}" for p in html.url_patterns} | {
        p.name for p in api_urls.urlpatterns
    }


def test_the_sweep_covers_every_shipments_url():
    assert shipments_url_names() == set(PARAMETRIZED) | set(OTHER_WAYS)


def test_another_merchants_records_are_404_on_every_url(
    client, staff_api, staff_user, theirs
):
    client.force_login(staff_user)
    before = _state()
    for name, kind in PARAMETRIZED.items():
        caller = client if name.startswith("shipments:") else staff_api
        url = reverse(name, args=[theirs[kind].pk])
        got = caller.get(url).status_code
        posted = caller.post(url, {"status": "in_review", "reason": "loss"})
        # Not found, or not allowed for that URL whatever the id; never both.
        assert {got, posted.status_code} <= {404, 405}, url
        assert 404 in (got, posted.status_code), url
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
