"""Demo couriers: every merchant without a courier account gets one with the sandbox
courier (python -m sandbox_courier), so shipments can be booked in the demo, and its
delivered orders a delivery history for the Couriers page. The account tracks any
number (extra.track_any): tracking_backfill after it follows the orders in transit.
"""

import random
from datetime import timedelta

from orders.models import Merchant, Order
from orders.state_machine import OrderStatus
from shipments.models import CourierAccount, Shipment, TrackingEvent

DEFAULT_BASE_URL = "http://127.0.0.1:8090"


def demo_couriers_create(*, base_url: str | None = None) -> int:
    """Add the sandbox accounts; how many were created. `base_url` is where the
    sandbox listens: the demo's sandbox accounts are pointed there."""
    created = 0
    for merchant in Merchant.objects.exclude(courier_accounts__isnull=False):
        account = CourierAccount.objects.create(
            merchant=merchant,
            courier="sandbox",
            name="Sandbox Post",
            base_url=base_url or DEFAULT_BASE_URL,
            api_key=f"demo-{merchant.slug}",
            # The catch-all tracker: the sandbox plays a journey for any
            # number, so the demo's webshop and hand-typed numbers move too.
            extra={"country": "SE", "track_any": True},
        )
        created += 1
        _history(account)
    # Demo accounts made before the catch-all tracker existed become it.
    demo_accounts = CourierAccount.objects.filter(
        courier="sandbox", api_key__startswith="demo-"
    )
    for account in demo_accounts.exclude(extra__track_any=True):
        account.extra = {**account.extra, "track_any": True}
        account.save(update_fields=["extra"])
    if base_url:  # the sandbox may listen on another port this time
        demo_accounts.exclude(base_url=base_url).update(base_url=base_url)
    return created


def _history(account: CourierAccount) -> None:
    """Past deliveries of the merchant's delivered orders: history only (these
    parcels never passed through the sandbox), written directly like the rest of
    the seeded past."""
    rng = random.Random(account.merchant_id)
    delivered = Order.objects.filter(
        merchant_id=account.merchant_id,
        status__in=(OrderStatus.DELIVERED, OrderStatus.COMPLETE),
        service="",
        shipments__isnull=True,
    ).exclude(tracking_number="")
    shipments = []
    for order in delivered:
        booked = order.placed_at + timedelta(hours=rng.randint(4, 30))
        promised = (booked + timedelta(days=rng.choice([1, 2, 2, 3]))).date()
        late = rng.choices([-1, 0, 0, 0, 1, 2], k=1)[0]
        shipments.append(
            Shipment(
                order=order,
                merchant_id=order.merchant_id,
                account=account,
                service_code=rng.choice(["SBX_HOME", "SBX_SHOP"]),
                service_type=rng.choice(["home_delivery", "parcel_shop"]),
                tracking_number=order.tracking_number,
                status="delivered",
                raw_status="DELIVERED",
                promised_delivery=promised,
                estimated_delivery=promised,
                created_at=booked,
                delivered_at=booked.replace(hour=14)
                + timedelta(days=(promised - booked.date()).days + late),
            )
        )
    made = Shipment.objects.bulk_create(shipments)
    TrackingEvent.objects.bulk_create(
        TrackingEvent(
            shipment=shipment,
            status="exception",
            raw_code="EXCEPTION",
            description="Parcel damaged in transit",
            occurred_at=shipment.delivered_at - timedelta(days=1),
            source="webhook",
        )
        for shipment in made
        if rng.random() < 0.08
    )
