"""The billing profile: legal details, numbering, terms, taxes; the Stripe
signing secret masked (reveal audited) and write-only."""

from django.conf import settings
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from invoices.services import (
    billing_profile,
    billing_profile_reveal_stripe_secret,
    billing_profile_update,
)
from workspace.settings import selectors
from workspace.settings.forms import BillingProfileForm
from workspace.settings.views.common import (
    admin_only,
    current_merchant,
    merchant_query,
    page,
    saved,
)


@admin_only
@require_http_methods(["GET", "POST"])
def billing_view(request):
    merchant = current_merchant(request)
    profile = selectors.billing_profile_for_admin(merchant)
    form = BillingProfileForm(request.POST or None, instance=profile)
    if request.method == "POST" and form.is_valid():
        changed = billing_profile_update(
            merchant=merchant, actor=request.user, values=form.values()
        )
        here = reverse("workspace:settings:billing") + merchant_query(request, merchant)
        return saved(
            request, "Billing profile saved." if changed else "Nothing changed.", here
        )
    stripe_url = ""
    if profile.pk:
        stripe_url = settings.PUBLIC_BASE_URL.rstrip("/") + reverse(
            "stripe", args=[profile.stripe_webhook_key]
        )
    return page(
        request,
        "workspace/settings/billing.html",
        merchant=merchant,
        section="billing",
        form=form,
        profile=profile,
        stripe_url=stripe_url,
    )


@admin_only
@require_POST
def billing_secret_reveal_view(request):
    merchant = current_merchant(request)
    secret = billing_profile_reveal_stripe_secret(
        profile=billing_profile(merchant), actor=request.user
    )
    return render(
        request,
        "workspace/settings/_secret.html",
        {"secret": secret, "revealed": True},
    )
