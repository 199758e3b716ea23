"""Courier tracking webhooks: verify (per adapter), read, record."""

import hashlib

from django.http import Http404

from performile.webhooks import acknowledge, webhook_endpoint
from shipments.couriers import courier_for
from shipments.models import CourierAccount


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
    numbers = sorted({update.tracking_number for update in updates})
    return acknowledge(
        request,
        provider="courier",
        delivery_id=f"{account.pk}:{hashlib.sha256(request.body).hexdigest()}",
        entity=f"parcel:{account.pk}:{','.join(numbers)}",
        route={"account": account.pk},
        merchant_id=account.merchant_id,
    )
