"""Apply recorded Stripe events (performile.inbound): payments and refunds."""

from invoices import stripe
from invoices.services.stripe import stripe_money_record
from orders.models import Merchant
from performile.inbound import applied, applier, duplicate, first_time, ignored


@applier("stripe")
def apply_stripe(delivery, request):
    event = stripe.parse_event(request.body)
    # Scoped by merchant: one merchant's endpoint cannot block another's event.
    if not first_time(delivery, "stripe", [f"{delivery.merchant_id}:{event.id}"]):
        return duplicate()
    merchant = Merchant.objects.get(pk=delivery.merchant_id)
    result = stripe_money_record(merchant=merchant, money=stripe.read_event(event))
    if result.pop("status", None) == "ignored":
        return ignored(f"Stripe event {event.type} changes no payment.", **result)
    return applied(**result)
