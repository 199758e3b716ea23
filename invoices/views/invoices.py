"""The invoice list, an invoice's page, and its actions (record a payment, issue
a credit note, void), each in the page's action dialog."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from invoices import selectors, services
from invoices.access import may_manage
from invoices.filters import InvoiceFilter, balance_totals, invoice_customers
from invoices.forms import CreditNoteForm, PaymentForm, VoidForm
from invoices.models import Invoice
from invoices.views.common import (
    PAGE_SIZE,
    require_manage,
    staff_page,
    without_page,
)
from performile.errors import ApplicationError
from performile.forms import add_service_error
from performile.htmx import dialog_done


@staff_page
@require_safe
def invoice_list_view(request):
    invoices = selectors.visible_invoices(request.user)
    filters = InvoiceFilter(
        request.GET or None,
        queryset=invoices,
        customers=invoice_customers(invoices),
    )
    context = {"filters": filters.form, "filter_errors": None, "page": None}
    status = 200
    if filters.is_bound and not filters.is_valid():
        context["filter_errors"] = filters.describe_errors()
        status = 400
    else:
        shown = filters.qs.order_by("-issue_date", "-id")
        context["totals"] = balance_totals(shown)
        context["page"] = Paginator(shown, PAGE_SIZE).get_page(request.GET.get("page"))
        context["querystring"] = without_page(request)
    partial = request.htmx and request.htmx.target == "invoices-table"
    template = "invoices/_table.html" if partial else "invoices/list.html"
    return render(request, template, context, status=status)


@staff_page
@require_safe
def invoice_detail_view(request, pk: int):
    invoice = selectors.invoice_get_for_user(request.user, pk)
    return render(request, "invoices/detail.html", detail_context(request, invoice))


def detail_context(request, invoice: Invoice) -> dict:
    payments = list(invoice.payments.order_by("received_at", "pk"))
    notes = list(invoice.credit_notes.order_by("issue_date", "pk"))
    manage = may_manage(request.user, invoice)
    return {
        "invoice": invoice,
        "lines": list(invoice.lines.all()),
        "payments": payments,
        "credit_notes": notes,
        "may_manage": manage and not invoice.is_void,
        "may_void": manage and not invoice.is_void and not payments and not notes,
    }


@staff_page
@require_http_methods(["GET", "POST"])
def invoice_payment_view(request, pk: int):
    invoice = _managed_invoice(request, pk)
    form = PaymentForm(_data(request), invoice=invoice)
    if form.is_valid():
        data = form.cleaned_data
        try:
            payment = services.payment_record(
                merchant=invoice.merchant,
                invoice=invoice,
                amount=data["amount"],
                currency=invoice.currency,
                method=data["method"],
                reference=data["reference"],
                received_at=form.received_at(),
                actor=request.user,
            )
        except ApplicationError as exc:
            add_service_error(form, exc, summary=True)
        else:
            kind = "Refund" if payment.is_refund else "Payment"
            text = f"{kind} of {abs(payment.amount)} {payment.currency} recorded."
            return _done(request, invoice, text)
    return _action(request, "invoices/_payment.html", invoice, form)


@staff_page
@require_http_methods(["GET", "POST"])
def invoice_credit_view(request, pk: int):
    invoice = _managed_invoice(request, pk)
    form = CreditNoteForm(_data(request), invoice=invoice)
    if form.is_valid():
        try:
            note = services.credit_note_issue(
                invoice=invoice, actor=request.user, **form.service_arguments()
            )
        except ApplicationError as exc:
            add_service_error(form, exc, summary=True)
        else:
            text = f"Credit note {note.number} issued: {note.total} {note.currency}."
            return _done(request, invoice, text)
    return _action(request, "invoices/_credit_note.html", invoice, form)


@staff_page
@require_http_methods(["GET", "POST"])
def invoice_void_view(request, pk: int):
    invoice = _managed_invoice(request, pk)
    form = VoidForm(_data(request))
    if form.is_valid():
        try:
            services.invoice_void(
                invoice=invoice, actor=request.user, reason=form.cleaned_data["reason"]
            )
        except ApplicationError as exc:
            add_service_error(form, exc, summary=True)
        else:
            return _done(request, invoice, f"Invoice {invoice.number} voided.")
    return _action(request, "invoices/_void.html", invoice, form)


def _managed_invoice(request, pk: int) -> Invoice:
    invoice = selectors.invoice_get_for_user(request.user, pk)
    require_manage(request.user, invoice)
    return invoice


def _data(request):
    return request.POST if request.method == "POST" else None


def _action(request, template: str, invoice: Invoice, form):
    status = 422 if form.is_bound else 200
    context = {"invoice": invoice, "form": form}
    return render(request, template, context, status=status)


def _done(request, invoice: Invoice, text: str):
    """Without script: back to the invoice with a message. With htmx: the dialog
    closes, a toast says what happened and the page's detail is swapped in."""
    if not request.htmx:
        messages.success(request, text)
        return redirect("invoices:detail", invoice.pk)
    fresh = selectors.invoice_get_for_user(request.user, invoice.pk)
    context = detail_context(request, fresh)
    response = render(request, "invoices/_action_done.html", context)
    return dialog_done(response, text)
