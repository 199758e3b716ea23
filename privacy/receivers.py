from django.dispatch import receiver

from orders import signals as order_signals
from privacy.services import privacy_requests_merge


@receiver(order_signals.customer_merging, dispatch_uid="privacy-customer-merging")
def on_customer_merging(sender, *, customer_id, into_id, **kwargs):
    privacy_requests_merge(customer_id=customer_id, into_id=into_id)
