"""The customer's delivery addresses: add, edit, delete, make default (the rules
are portal.services')."""

from django.contrib import messages as flash
from django.forms.models import model_to_dict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from performile.errors import ApplicationError
from performile.forms import add_service_error
from portal import services
from portal.models import DeliveryAddress
from portal.profile_forms import AddressForm
from portal.views.common import customer_required

FORM_METHODS = ["GET", "HEAD", "POST"]


def _addresses_url() -> str:
    return f"{reverse('portal:profile')}#addresses"


def _own_address(request, pk: int) -> DeliveryAddress:
    return get_object_or_404(
        DeliveryAddress.objects.select_related("customer"),
        pk=pk,
        customer=request.customer,
    )


@customer_required
@require_http_methods(FORM_METHODS)
def address_new_view(request):
    form = AddressForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.address_create(
                customer=request.customer, actor=request.user, data=form.cleaned_data
            )
        except ApplicationError as exc:
            add_service_error(form, exc)
        else:
            flash.success(request, _("Address added."))
            return redirect(_addresses_url())
    return _form_page(request, form, address=None)


@customer_required
@require_http_methods(FORM_METHODS)
def address_edit_view(request, pk: int):
    address = _own_address(request, pk)
    form = AddressForm(request.POST or None, initial=model_to_dict(address))
    if request.method == "POST" and form.is_valid():
        try:
            services.address_update(
                address=address, actor=request.user, data=form.cleaned_data
            )
        except ApplicationError as exc:
            add_service_error(form, exc)
        else:
            flash.success(request, _("Address saved."))
            return redirect(_addresses_url())
    return _form_page(request, form, address=address)


@customer_required
@require_POST
def address_delete_view(request, pk: int):
    services.address_delete(address=_own_address(request, pk), actor=request.user)
    flash.success(request, _("Address removed."))
    return redirect(_addresses_url())


@customer_required
@require_POST
def address_default_view(request, pk: int):
    address = _own_address(request, pk)
    services.address_make_default(address=address, actor=request.user)
    flash.success(request, f"{address} is now your default address.")
    return redirect(_addresses_url())


def _form_page(request, form, *, address):
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "address": address}
    return render(request, "portal/address_form.html", context, status=status)
