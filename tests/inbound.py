"""Reading what became of a webhook delivery (performile.inbound) in tests.

Under the test settings each delivery is applied in the request that recorded it
(INBOUND_APPLY_EAGER), through the applier's own code; the response says only
"accepted" with the delivery's id, and its row says what happened.
"""

from django.utils import timezone

from performile import inbound
from performile.models import InboundDelivery


def delivery_of(response) -> InboundDelivery:
    return InboundDelivery.objects.get(pk=response.json()["delivery"])


def outcome(response) -> dict:
    """{"status": applied | duplicate | ignored | pending | failed, **result}, or
    {"status": "duplicate"} for a delivery the door had recorded before."""
    body = response.json()
    if "delivery" not in body:
        return {"status": body["status"]}
    delivery = delivery_of(response)
    return {"status": delivery.status, **delivery.result}


def apply_due() -> int:
    """Time passes: every pending delivery is due, and the appliers apply them."""
    InboundDelivery.objects.filter(status="pending").update(
        available_at=timezone.now() - timezone.timedelta(seconds=1)
    )
    total = 0
    while applied := inbound.apply_batch():
        total += applied
    return total
