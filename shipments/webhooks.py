"""Courier tracking webhooks: verify (per adapter), record, apply."""

import hashlib

from django.http import Http404

from performile.webhooks import accepted, receive, webhook_endpoint
from shipments.couriers import courier_for
from shipments.models import CourierAccount, Shipment
from shipments.services import shipment_apply_update
from shipments.tracking import pending_update_keep


@webhook_endpoint
def courier_tracking(request, courier_code, webhook_key):
    try:
        account = CourierAccount.objects.get(
            webhook_key=webhook_key, courier=courier_code
        )
    except CourierAccount.DoesNotExist as exc:
        raise Http404 from exc
    courier = courier_for(account.courier, account.settings())
    updates = courier.parse_webhook(request.body, request.headers)
    digest = hashlib.sha256(request.body).hexdigest()

    def apply_all() -> dict:
        counts = {"applied": 0, "kept": 0}
        for update in updates:
            shipment = Shipment.objects.filter(
                account=account, tracking_number=update.tracking_number
            ).first()
            if shipment is None:
                # Perhaps a number an order gets in a moment: kept, not dropped.
                pending_update_keep(account=account, update=update)
                counts["kept"] += 1
                continue
            shipment_apply_update(shipment=shipment, update=update, source="webhook")
            counts["applied"] += 1
        return counts

    result = receive(
        provider=f"courier:{account.pk}", delivery_ids=[digest], handle=apply_all
    )
    if result is None:
        return accepted(duplicate=True)
    return accepted(**result)
