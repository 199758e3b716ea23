"""A store's email branding (docs/emails.md): the name, logo, colour, sign-off
and footer of the emails its customers get, with a preview."""

from django.urls import reverse
from django.views.decorators.http import require_http_methods

from messaging.emails import preview_html
from messaging.selectors import store_branding
from messaging.services import store_branding_update
from messaging.services.branding import FIELDS, UNCHANGED
from workspace.settings import selectors
from workspace.settings.branding_forms import BrandingForm
from workspace.settings.views.common import (
    FAILED,
    admin_only,
    page,
    saved,
    written,
)


@admin_only
@require_http_methods(["GET", "POST"])
def branding_edit_view(request, pk: int):
    store = selectors.store_get_for_admin(request.user, pk)
    branding = store_branding(store)
    form = BrandingForm(
        request.POST or None,
        request.FILES or None,
        initial={name: getattr(branding, name) for name in FIELDS},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        logo = None if data["remove_logo"] else (data["logo"] or UNCHANGED)
        done = written(
            form,
            lambda: store_branding_update(
                store=store,
                actor=request.user,
                logo=logo,
                **{name: data[name] for name in FIELDS},
            ),
        )
        if done is not FAILED:
            url = reverse("workspace:settings:branding", args=[store.pk])
            return saved(request, f"Email branding of {store.name} saved.", url)
    return page(
        request,
        "workspace/settings/branding_form.html",
        merchant=store.merchant,
        section="channels",
        store=store,
        form=form,
        branding=branding,
        preview=preview_html(store),
    )
