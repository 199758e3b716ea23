"""The payments list and the accounting export."""

from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_safe

from invoices import selectors
from invoices.downloads import csv_download
from invoices.forms import ExportForm
from invoices.views.common import PAGE_SIZE, staff_page, without_page
from performile.errors import ApplicationError
from performile.forms import add_service_error


@staff_page
@require_safe
def payment_list_view(request):
    payments = selectors.visible_payments(request.user).order_by("-received_at", "-pk")
    context = {
        "page": Paginator(payments, PAGE_SIZE).get_page(request.GET.get("page")),
        "querystring": without_page(request),
    }
    return render(request, "invoices/payments.html", context)


@staff_page
@require_safe
def export_view(request):
    """The form; submitted (GET, so the file downloads), the CSV streamed."""
    customers = selectors.customers_for_billing(request.user)
    form = ExportForm(request.GET or None, customers=customers)
    if form.is_valid():
        data = form.cleaned_data
        try:
            return csv_download(
                request,
                kind=data["kind"],
                start=data["start"],
                end=data["end"],
                customer_id=data["customer"].pk if data["customer"] else None,
            )
        except ApplicationError as exc:
            add_service_error(form, exc, summary=True)
    status = 400 if form.is_bound else 200
    return render(request, "invoices/export.html", {"form": form}, status=status)
