"""The customer's billing pages: invoices, one invoice, statements, payments, the
CSV export and the PDF downloads.

Every read starts from `portal.selectors` (the customer's own records; anything
else is a 404). Dates and times are the merchant's: its calendar decides "today"
(overdue, the default statement period) and times are shown in its zone. PDFs go
through `invoices.downloads.pdf_response`, which watermarks the customer's copy
and audits the download.
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_http_methods, require_safe

from invoices import downloads
from invoices.downloads import csv_download
from invoices.filters import balance_totals
from invoices.services import statement_generate
from invoices.services.common import merchant_today
from performile.audit import audit
from performile.errors import ApplicationError
from performile.forms import add_service_error
from portal.invoice_forms import ExportForm, InvoiceFilterForm, StatementForm
from portal.selectors import (
    portal_credit_notes,
    portal_invoice_get,
    portal_invoices,
    portal_payments,
    portal_statements,
)
from portal.views.common import customer_required

PAGE_SIZE = 20


def _page(request, queryset):
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


def _querystring(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def _today(request):
    return merchant_today(request.customer.merchant)


def _one(queryset, pk, what: str):
    try:
        return queryset.get(pk=pk)
    except (queryset.model.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404(f"No such {what}.") from exc


# --- invoices ----------------------------------------------------------------


@customer_required
@require_safe
def invoices_view(request):
    user = request.user
    invoices = portal_invoices(user)
    filters = InvoiceFilterForm(request.GET or None)
    context = {
        "filters": filters,
        "totals": balance_totals(invoices),
        "export_form": ExportForm(today=_today(request)),
        "querystring": _querystring(request),
        "page": None,
    }
    if filters.is_bound and not filters.is_valid():
        return render(request, "portal/invoices/list.html", context, status=400)
    shown = filters.apply(invoices) if filters.is_bound else invoices
    notes = portal_credit_notes(user).order_by("issue_date", "pk")
    shown = shown.prefetch_related(
        Prefetch("credit_notes", queryset=notes, to_attr="own_credit_notes")
    )
    context["page"] = _page(request, shown)
    return render(request, "portal/invoices/list.html", context)


@customer_required
@require_safe
def invoices_detail_view(request, pk: int):
    user = request.user
    invoice = portal_invoice_get(user, pk)
    context = {
        "invoice": invoice,
        "lines": list(invoice.lines.all()),
        "payments": list(
            portal_payments(user).filter(invoice=invoice).order_by("received_at", "pk")
        ),
        "credit_notes": list(
            portal_credit_notes(user)
            .filter(invoice=invoice)
            .order_by("issue_date", "pk")
        ),
    }
    audit(
        "invoice.viewed",
        actor=user,
        target=invoice,
        merchant_id=invoice.merchant_id,
        order_id=invoice.order_id,
    )
    return render(request, "portal/invoices/detail.html", context)


# The inline preview is framed by the portal's own pages: same origin only.
@xframe_options_sameorigin
@customer_required
@require_safe
def invoices_pdf_view(request, pk: int):
    invoice = portal_invoice_get(request.user, pk)
    return downloads.pdf_response(request, "invoice", invoice)


@xframe_options_sameorigin
@customer_required
@require_safe
def invoices_credit_note_pdf_view(request, pk: int):
    note = _one(portal_credit_notes(request.user), pk, "credit note")
    return downloads.pdf_response(request, "credit_note", note)


# --- statements --------------------------------------------------------------


@customer_required
@require_http_methods(["GET", "POST"])
def invoices_statements_view(request):
    user = request.user
    currencies = sorted(
        set(portal_invoices(user).order_by().values_list("currency", flat=True))
    )
    form = StatementForm(
        request.POST if request.method == "POST" else None,
        currencies=currencies,
        today=_today(request),
    )
    if form.is_bound and currencies and form.is_valid():
        data = form.cleaned_data
        try:
            statement = statement_generate(
                customer=request.customer,
                currency=data["currency"],
                start=data["start"],
                end=data["end"],
                actor=user,
            )
        except ApplicationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Your statement is ready."))
            return redirect("portal:invoices_statement", statement.pk)
    statements = portal_statements(user).order_by("-period_end", "-generated_at", "-pk")
    context = {
        "form": form,
        "may_generate": bool(currencies),
        "page": _page(request, statements),
        "querystring": _querystring(request),
    }
    status = 400 if form.is_bound else 200
    return render(request, "portal/invoices/statements.html", context, status=status)


@customer_required
@require_safe
def invoices_statement_view(request, pk: int):
    statement = _one(portal_statements(request.user), pk, "statement")
    audit(
        "statement.viewed",
        actor=request.user,
        target=statement,
        merchant_id=statement.merchant_id,
    )
    return render(request, "portal/invoices/statement.html", {"statement": statement})


@xframe_options_sameorigin
@customer_required
@require_safe
def invoices_statement_pdf_view(request, pk: int):
    statement = _one(portal_statements(request.user), pk, "statement")
    return downloads.pdf_response(request, "statement", statement)


# --- payments and export -----------------------------------------------------


@customer_required
@require_safe
def invoices_payments_view(request):
    payments = portal_payments(request.user)
    context = {"page": _page(request, payments), "querystring": _querystring(request)}
    return render(request, "portal/invoices/payments.html", context)


@customer_required
@require_safe
def invoices_export_view(request):
    """The CSV of the customer's own rows (the export is narrowed to them on top
    of the access rule); without parameters, the form; bad ones, a 400."""
    form = ExportForm(request.GET or None, today=_today(request))
    if form.is_valid():
        data = form.cleaned_data
        try:
            return csv_download(
                request,
                kind=data["kind"],
                start=data["start"],
                end=data["end"],
                customer_id=request.customer.pk,
            )
        except ApplicationError as exc:
            add_service_error(form, exc)
    status = 400 if form.is_bound else 200
    context = {"export_form": form}
    return render(request, "portal/invoices/export.html", context, status=status)
