from django.dispatch import receiver

from orders import signals as order_signals
from privacy.models import PrivacyRequest


@receiver(order_signals.customer_merging, dispatch_uid="privacy-customer-merging")
def on_customer_merging(sender, *, customer_id, into_id, **kwargs):
    """Inside the merge's transaction: the requests move with the customer; an
    open one the other customer also has is closed as the same request."""
    open_there = PrivacyRequest.objects.filter(
        customer_id=into_id, status=PrivacyRequest.Status.OPEN
    ).values_list("kind", flat=True)
    PrivacyRequest.objects.filter(
        customer_id=customer_id,
        status=PrivacyRequest.Status.OPEN,
        kind__in=list(open_there),
    ).update(
        status=PrivacyRequest.Status.DECLINED,
        outcome="The same as the open request of the customer it was merged into.",
    )
    PrivacyRequest.objects.filter(customer_id=customer_id).update(customer_id=into_id)
