"""The merchant's WhatsApp templates, kept by its admins at
/messages/whatsapp-templates/ (linked from Settings): listed, added, changed and
deleted. The merchant's staff and anyone else get 403; another merchant's
template is 404. Thin: parse, call one service, render."""

from django.contrib import messages as flash
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from messaging import selectors, services, whatsapp_templates
from messaging.canned_views import team_merchants
from messaging.forms import WhatsAppTemplateForm
from orders.models import Merchant
from orders.selectors import merchant_is_administered_by, user_admin_merchant_ids
from orders.views.common import member_required
from performile.forms import run_service

LIST = "messaging:whatsapp-templates"


def _admin_merchants(user) -> list[Merchant]:
    return team_merchants(user, ids=user_admin_merchant_ids)


def _template_for_admin(user, pk: int):
    """404 when the user is not on the template's merchant's team; 403 when they
    are, but not its admin."""
    template = selectors.whatsapp_template_get_for_user(user, pk)
    if not merchant_is_administered_by(user, template.merchant_id):
        raise PermissionDenied("WhatsApp templates are for the merchant's admins.")
    return template


@member_required
@require_http_methods(["GET", "POST"])
def whatsapp_template_list_view(request):
    """The templates, and a form for a new one."""
    merchants = _admin_merchants(request.user)
    form = WhatsAppTemplateForm(request.POST or None, merchants=merchants)
    if request.method == "POST":
        template = run_service(
            form,
            lambda data: services.whatsapp_template_create(
                merchant=data["merchant"], actor=request.user, values=form.values()
            ),
        )
        if template is not None:
            flash.success(request, f"WhatsApp template “{template.name}” saved.")
            return redirect(LIST)
    return _page(request, form, merchants, status=400 if form.errors else 200)


@member_required
@require_http_methods(["GET", "POST"])
def whatsapp_template_edit_view(request, pk: int):
    template = _template_for_admin(request.user, pk)
    merchants = _admin_merchants(request.user)
    form = WhatsAppTemplateForm(
        request.POST or None,
        merchants=merchants,
        template=template,
        initial=WhatsAppTemplateForm.initial_for(template),
    )
    if request.method == "POST":
        saved = run_service(
            form,
            lambda data: services.whatsapp_template_update(
                template=template, actor=request.user, values=form.values()
            ),
        )
        if saved is not None:
            flash.success(request, f"WhatsApp template “{template.name}” saved.")
            return redirect(LIST)
    status = 400 if form.errors else 200
    return _page(request, form, merchants, editing=template, status=status)


@member_required
@require_POST
def whatsapp_template_delete_view(request, pk: int):
    template = _template_for_admin(request.user, pk)
    services.whatsapp_template_delete(template=template, actor=request.user)
    flash.success(request, f"WhatsApp template “{template.name}” deleted.")
    return redirect(LIST)


def _page(request, form, merchants, *, editing=None, status=200):
    admin_of = {merchant.pk for merchant in merchants}
    templates = selectors.team_whatsapp_templates(request.user).filter(
        merchant_id__in=admin_of
    )
    context = {
        "records": templates,
        "form": form,
        "editing": editing,
        "variables": [
            (label, whatsapp_templates.VARIABLES[purpose])
            for purpose, label in whatsapp_templates.Purpose.choices
        ],
        "several_merchants": len(merchants) > 1,
    }
    return render(request, "messaging/whatsapp_templates.html", context, status=status)
