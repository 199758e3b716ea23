"""The customer's own personal data (docs/privacy.md): download it all, or ask for
its erasure (the merchant's staff carry it out). Thin: call one service."""

from django.contrib import messages as flash
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe

from performile.errors import ApplicationError
from portal.views.common import customer_required
from privacy import services
from privacy.views import export_response


@customer_required
@require_safe
def privacy_export_view(request):
    """Their zip, built now; audited and recorded as a request done."""
    export = services.customer_export(customer=request.customer, actor=request.user)
    return export_response(export)


@customer_required
@require_POST
def privacy_erasure_view(request):
    try:
        services.privacy_request_erasure(customer=request.customer, actor=request.user)
    except ApplicationError as exc:
        flash.error(request, exc.message)
    else:
        flash.success(
            request,
            "We have your request. Our team erases your personal data and closes"
            " your account; you will not be able to sign in afterwards.",
        )
    return redirect(f"{reverse('portal:profile')}#data")
