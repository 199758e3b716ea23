"""Apply recorded courier webhooks (performile.inbound): each scan to its parcel,
or kept for a tracking number an order gets in a moment."""

import hashlib

from performile.inbound import applied, applier, duplicate, first_time
from shipments.couriers import courier_for
from shipments.models import CourierAccount, Shipment
from shipments.services import shipment_apply_update
from shipments.tracking import pending_update_keep


@applier("courier")
def apply_courier_webhook(delivery, request):
    account = CourierAccount.objects.get(pk=delivery.route["account"])
    digest = hashlib.sha256(request.body).hexdigest()
    if not first_time(delivery, f"courier:{account.pk}", [digest]):
        return duplicate()
    counts = {"applied": 0, "kept": 0}
    courier = courier_for(account.courier, account.settings())
    for update in courier.read_updates(request.body, request.headers):
        shipment = Shipment.objects.filter(
            account=account, tracking_number=update.tracking_number
        ).first()
        if shipment is None:
            pending_update_keep(account=account, update=update)
            counts["kept"] += 1
            continue
        shipment_apply_update(shipment=shipment, update=update, source="webhook")
        counts["applied"] += 1
    return applied(**counts)
