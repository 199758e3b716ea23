"""Payment provider webhooks: verify, read, record (invoices/appliers.py applies)
(ARCHITECTURE.md, mechanism 3; setup in docs/invoices-payments.md).

Each merchant has its own Stripe endpoint: the URL carries the billing profile's
public key and its signing secret verifies the events.
"""

from django.http import Http404

from invoices import stripe
from invoices.models import BillingProfile
from performile.webhooks import acknowledge, webhook_endpoint


@webhook_endpoint
def stripe_events(request, key):
    """POST /webhooks/stripe/<key>: a Stripe event of the merchant's account."""
    profile = _profile(key)
    stripe.verify_signature(
        header=request.headers.get("Stripe-Signature"),
        body=request.body,
        secret=profile.stripe_webhook_secret,
    )
    event = stripe.parse_event(request.body)
    money = stripe.read_event(event)
    return acknowledge(
        request,
        provider="stripe",
        # Scoped by merchant: one merchant's endpoint cannot block another's event.
        delivery_id=f"{profile.merchant_id}:{event.id}",
        entity=f"payment:{profile.merchant_id}:{getattr(money, 'reference', event.id)}",
        merchant_id=profile.merchant_id,
    )


def _profile(key) -> BillingProfile:
    try:
        return BillingProfile.objects.select_related("merchant").get(
            stripe_webhook_key=key
        )
    except BillingProfile.DoesNotExist as exc:
        raise Http404 from exc
