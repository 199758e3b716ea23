"""Statements: the list, generating one on demand, and one statement's page."""

from collections import Counter

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from invoices import selectors
from invoices.forms import StatementForm
from invoices.views.common import PAGE_SIZE, staff_page
from performile.errors import ApplicationError
from performile.forms import add_service_error


@staff_page
@require_http_methods(["GET", "POST"])
def statement_list_view(request):
    user = request.user
    form = StatementForm(
        request.POST if request.method == "POST" else None,
        customers=selectors.customers_for_billing(user),
        currency=_usual_currency(user),
    )
    if form.is_valid():
        try:
            statement = _generate(request, form.cleaned_data)
        except ApplicationError as exc:
            add_service_error(form, exc, summary=True)
        else:
            text = f"Statement for {statement.customer} generated."
            messages.success(request, text)
            return redirect("invoices:statement", statement.pk)
    statements = selectors.visible_statements(user).order_by("-generated_at", "-pk")
    context = {
        "form": form,
        "may_generate": form.fields["customer"].queryset.exists(),
        "page": Paginator(statements, PAGE_SIZE).get_page(request.GET.get("page")),
    }
    status = 422 if form.is_bound else 200
    return render(request, "invoices/statements.html", context, status=status)


def _generate(request, data):
    from invoices.services.statements import statement_generate

    return statement_generate(
        customer=data["customer"],
        currency=data["currency"],
        start=data["start"],
        end=data["end"],
        actor=request.user,
    )


def _usual_currency(user) -> str:
    recent = (
        selectors.visible_invoices(user)
        .order_by("-pk")
        .values_list("currency", flat=True)[:50]
    )
    counted = Counter(recent).most_common(1)
    return counted[0][0] if counted else "EUR"


@staff_page
@require_safe
def statement_detail_view(request, pk: int):
    statement = selectors.statement_get_for_user(request.user, pk)
    return render(request, "invoices/statement.html", {"statement": statement})
