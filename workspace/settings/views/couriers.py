"""Courier accounts: credentials masked and write-only, "test connection", and
the stores' pickup addresses (edited with each store)."""

from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import (
    require_http_methods,
    require_POST,
    require_safe,
)

from shipments.accounts import (
    courier_account_create,
    courier_account_test,
    courier_account_update,
)
from workspace.settings import selectors
from workspace.settings.forms import CourierAccountForm
from workspace.settings.views.common import admin_only, current_merchant, page, saved


@admin_only
@require_safe
def courier_list_view(request):
    merchant = current_merchant(request)
    return page(
        request,
        "workspace/settings/couriers.html",
        merchant=merchant,
        section="couriers",
        accounts=selectors.courier_accounts_for_admin(request.user, merchant),
        stores=selectors.admin_stores(request.user, merchant),
    )


@admin_only
@require_http_methods(["GET", "POST"])
def courier_create_view(request):
    merchant = current_merchant(request)
    form = CourierAccountForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        account = courier_account_create(
            merchant=merchant, actor=request.user, values=form.values()
        )
        url = reverse("workspace:settings:courier", args=[account.pk])
        return saved(request, f"Courier account {account.name} added.", url)
    return _form_page(request, merchant, form)


@admin_only
@require_http_methods(["GET", "POST"])
def courier_edit_view(request, pk: int):
    account = selectors.courier_account_get_for_admin(request.user, pk)
    form = CourierAccountForm(request.POST or None, instance=account)
    if request.method == "POST" and form.is_valid():
        changed = courier_account_update(
            account=account, actor=request.user, values=form.values()
        )
        text = "Courier account saved." if changed else "Nothing changed."
        return saved(request, text, reverse("workspace:settings:courier", args=[pk]))
    return _form_page(request, account.merchant, form, account=account)


def _form_page(request, merchant, form, account=None):
    return page(
        request,
        "workspace/settings/courier_form.html",
        merchant=merchant,
        section="couriers",
        form=form,
        account=account,
        webhook_url=account.settings().webhook_url if account else "",
    )


@admin_only
@require_POST
def courier_test_view(request, pk: int):
    account = selectors.courier_account_get_for_admin(request.user, pk)
    check = courier_account_test(account=account)
    return render(request, "workspace/settings/_connection.html", {"check": check})
