"""What every settings page shares: the admins-only door, the merchant being set
up (`?merchant=<id>` for an admin of several), the section navigation."""

from functools import wraps

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse

from performile.errors import ApplicationError
from performile.forms import add_service_error
from performile.htmx import login_required_htmx
from workspace.settings import selectors

SECTIONS = [
    ("business", "Business", "workspace:settings:business"),
    ("stores", "Stores", "workspace:settings:stores"),
    ("couriers", "Courier accounts", "workspace:settings:couriers"),
    ("channels", "Messaging channels", "workspace:settings:channels"),
    # The messaging app's own page (messaging.whatsapp_template_views).
    ("whatsapp", "WhatsApp templates", "messaging:whatsapp-templates"),
    ("billing", "Billing", "workspace:settings:billing"),
    ("discord", "Discord servers", "workspace:settings:discord"),
    ("team", "Team", "workspace:settings:team"),
]


def admin_only(view):
    """Signed in, and an admin of at least one merchant: anyone else, a merchant's
    staff included, gets 404 (the settings hold the merchant's secrets)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        request.admin_merchants = selectors.admin_merchants(request.user)
        if not request.admin_merchants:
            raise Http404("Settings are for the merchant's admins.")
        return view(request, *args, **kwargs)

    return login_required_htmx(wrapper)


def current_merchant(request):
    """The merchant the page sets up: `?merchant=<id>` (404 unless the user is
    its admin), else the user's first."""
    return selectors.merchant_for_admin(request.user, request.GET.get("merchant"))


def merchant_query(request, merchant) -> str:
    return f"?merchant={merchant.pk}" if len(request.admin_merchants) > 1 else ""


def page(request, template: str, *, merchant, section: str, status=None, **context):
    """The section's page; 400 when its form was refused, else `status` or 200."""
    query = merchant_query(request, merchant)
    form = context.get("form")
    if status is None:
        status = 400 if form is not None and form.errors else 200
    return render(
        request,
        template,
        {
            "merchant": merchant,
            "merchants": request.admin_merchants,
            "section": section,
            "sections": [
                (key, label, reverse(name) + query) for key, label, name in SECTIONS
            ],
            "merchant_query": query,
            **context,
        },
        status=status,
    )


def saved(request, text: str, url: str):
    messages.success(request, text)
    return redirect(url)


FAILED = object()


def written(form, call):
    """Run the service `call()`: what it returns, or FAILED when it refused
    (its reason is on the form)."""
    try:
        return call()
    except ApplicationError as exc:
        add_service_error(form, exc, summary=True)
        return FAILED
