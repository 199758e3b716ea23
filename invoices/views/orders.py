"""The order drawer's Invoice section, issuing an order's invoice, and the order
confirmation PDF."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.views.decorators.http import require_POST, require_safe

from invoices import downloads, selectors, services
from invoices.access import may_manage_billing
from invoices.views.common import members_only
from orders import selectors as order_selectors
from orders.views.common import merchant_timezone
from performile.errors import ApplicationError
from performile.htmx import login_required_htmx, toast


@members_only
@require_safe
@merchant_timezone
def order_panel_view(request, order_pk: int):
    order = order_selectors.order_get_for_user(request.user, order_pk)
    return _render_panel(request, order)


@members_only
@require_POST
@merchant_timezone
def order_issue_view(request, order_pk: int):
    order = order_selectors.order_get_for_user(request.user, order_pk)
    if not _may_issue(request.user, order):
        raise PermissionDenied("Only the merchant's staff issue invoices.")
    try:
        invoice = services.invoice_issue_for_order(order=order, actor=request.user)
    except ApplicationError as exc:
        error = exc.message
        if isinstance(exc, services.AlreadyInvoiced):
            error = _already_invoiced(request, order, exc)
        if not request.htmx:
            messages.error(request, error)
            return redirect(order)
        response = _render_panel(request, order, error=error, status=422)
        return toast(response, exc.message, level="error")
    text = f"Invoice {invoice.number} issued."
    if not request.htmx:
        messages.success(request, text)
        return redirect("invoices:detail", invoice.pk)
    return toast(_render_panel(request, order), text)


@login_required_htmx
@require_safe
def order_confirmation_view(request, order_pk: int):
    """For anyone who may see the order: its staff, reseller, supplier, customer."""
    order = order_selectors.order_get_for_user(request.user, order_pk)
    return downloads.order_confirmation_response(request, order)


def _may_issue(user, order) -> bool:
    return may_manage_billing(user, order.merchant_id)


def _already_invoiced(request, order, exc) -> str:
    existing = (
        selectors.visible_invoices(request.user)
        .filter(order=order, state="issued")
        .first()
    )
    if existing is None:
        return exc.message
    url = reverse("invoices:detail", args=[existing.pk])
    return format_html('{} <a href="{}">Open {}</a>', exc.message, url, existing.number)


def _render_panel(request, order, *, error=None, status=200):
    invoices = (
        selectors.visible_invoices(request.user)
        .filter(order=order)
        .order_by("-issue_date", "-pk")
    )
    invoices = list(invoices)
    context = {
        "order": order,
        "invoices": invoices,
        "may_issue": _may_issue(request.user, order)
        and not any(not invoice.is_void for invoice in invoices),
        "error": error,
    }
    return render(request, "invoices/_order_panel.html", context, status=status)
