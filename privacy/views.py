"""The staff's personal-data pages: a customer's page (their export, their
erasure, their requests) and the open requests of the merchant's customers. For
the merchant's staff and admins; anyone else gets 404. Thin: parse, call one
selector or service, render."""

from django.contrib import messages
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST, require_safe

from orders.views.common import member_required, merchant_timezone
from performile.errors import ApplicationError
from performile.forms import add_service_error
from privacy import selectors, services
from privacy.forms import DeclineForm, ErasureForm


@member_required
@require_safe
@merchant_timezone
def customer_privacy_view(request, pk: int):
    customer = selectors.customer_get_for_team(request.user, pk)
    return _customer_page(request, customer)


@member_required
@require_safe
def customer_export_view(request, pk: int):
    """The customer's zip, built now (docs/privacy.md: sizes and times)."""
    customer = selectors.customer_get_for_team(request.user, pk)
    export = services.customer_export(customer=customer, actor=request.user)
    return export_response(export)


@member_required
@require_POST
@merchant_timezone
def customer_erase_view(request, pk: int):
    customer = selectors.customer_get_for_team(request.user, pk)
    form = ErasureForm(request.POST)
    if form.is_valid():
        try:
            erasure = services.customer_erase(
                customer=customer, actor=request.user, **form.cleaned_data
            )
        except ApplicationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(
                request,
                f"Customer {erasure.customer.customer_number}: personal data erased.",
            )
            return redirect("privacy:customer", pk=customer.pk)
    return _customer_page(request, customer, erasure_form=form, status=400)


@member_required
@require_safe
@merchant_timezone
def requests_view(request):
    open_requests = selectors.privacy_requests_open(request.user)
    return render(request, "privacy/requests.html", {"requests": open_requests})


@member_required
@require_POST
def request_decline_view(request, pk: int):
    privacy_request = selectors.privacy_request_get_for_team(request.user, pk)
    form = DeclineForm(request.POST)
    if form.is_valid():
        try:
            services.privacy_request_decline(
                request=privacy_request,
                actor=request.user,
                reason=form.cleaned_data["reason"],
            )
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "Request declined.")
    else:
        messages.error(request, "Say why the request is declined.")
    return redirect("privacy:customer", pk=privacy_request.customer_id)


def export_response(export: services.Export) -> FileResponse:
    """The zip as a download (also the portal's)."""
    response = FileResponse(export.archive.file, content_type="application/zip")
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=export.filename
    )
    response["Content-Length"] = str(export.archive.size)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _customer_page(request, customer, *, erasure_form=None, status=200):
    counts = selectors.privacy_customer_counts(request.user, customer)
    context = {
        "customer": customer,
        "orders": counts["orders"],
        "messages_count": counts["messages"],
        "requests": list(selectors.privacy_requests_of(customer)),
        "erasure_form": erasure_form or ErasureForm(),
        "decline_form": DeclineForm(),
    }
    return render(request, "privacy/customer.html", context, status=status)
