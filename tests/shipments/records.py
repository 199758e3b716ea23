"""One shipments record of each kind for a store, for tests that need them all (the
isolation sweep, the admin)."""

from decimal import Decimal

from orders.state_machine import OrderStatus
from shipments.models import BulkBooking, Claim
from tests.factories import OrderFactory
from tests.shipments.factories import CourierAccountFactory, ShipmentFactory


def shipment_records(store, staff) -> dict:
    """A confirmed order of `store` with a shipment (SBX1) of a courier account of
    its merchant, a claim on it, and a bulk booking of it started by `staff`."""
    order = OrderFactory(
        store=store, status=OrderStatus.CONFIRMED, tracking_number="SBX1"
    )
    account = CourierAccountFactory(merchant=store.merchant)
    shipment = ShipmentFactory(order=order, account=account, tracking_number="SBX1")
    claim = Claim.objects.create(
        shipment=shipment,
        reason=Claim.Reason.LOSS,
        description="Lost",
        amount=Decimal("10"),
        currency="EUR",
    )
    bulk = BulkBooking.objects.create(
        merchant=store.merchant,
        account=account,
        service_code="SBX_HOME",
        service_type="home_delivery",
        order_ids=[order.pk],
        created_by=staff,
    )
    return {
        "order": order,
        "account": account,
        "shipment": shipment,
        "claim": claim,
        "bulk": bulk,
    }
