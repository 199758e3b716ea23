"""Help: the FAQ is public (the sign-in page links to it); how to reach support
is for signed-in customers (their merchant's addresses, contact support)."""

from django.shortcuts import render
from django.views.decorators.http import require_safe

from invoices.models import BillingProfile
from orders.models import Customer
from portal import faq
from portal.audit import audited_page
from portal.selectors import portal_customer


@audited_page
@require_safe
def help_view(request):
    customer = portal_customer(request.user)
    context = {
        "order_statuses": faq.order_statuses(),
        "tracking_statuses": faq.tracking_statuses(),
        "payment_statuses": faq.payment_statuses(),
        "customer": customer,
        "support": support_contacts(customer) if customer else None,
    }
    template = "portal/help.html" if customer else "portal/help_public.html"
    return render(request, template, context)


def support_contacts(customer: Customer) -> dict:
    """The merchant's support addresses: each store's, and the billing address."""
    emails = (
        customer.merchant.stores.exclude(support_email="")
        .order_by("support_email")
        .values_list("support_email", flat=True)
        .distinct()
    )
    billing = (
        BillingProfile.objects.filter(merchant_id=customer.merchant_id)
        .values_list("email", flat=True)
        .first()
    )
    return {"emails": list(emails), "billing_email": billing or ""}
