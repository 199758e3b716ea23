"""Messaging channels: which ones reach each store (the platform's providers,
set by the operator, and the store's own addresses, set here)."""

from django.db import transaction
from django.forms.models import model_to_dict
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_safe

from messaging.selectors import store_channels, support_settings
from messaging.services import support_settings_update
from messaging.services.support import FIELDS as SUPPORT_FIELDS
from orders import services
from workspace.settings import selectors
from workspace.settings.forms import ChannelsForm
from workspace.settings.views.common import admin_only, current_merchant, page, saved


@admin_only
@require_safe
def channel_list_view(request):
    merchant = current_merchant(request)
    found = list(selectors.admin_stores(request.user, merchant))
    settings = support_settings(store.pk for store in found)
    stores = [(store, store_channels(store), settings[store.pk]) for store in found]
    return page(
        request,
        "workspace/settings/channels.html",
        merchant=merchant,
        section="channels",
        stores=stores,
    )


@admin_only
@require_http_methods(["GET", "POST"])
def channel_edit_view(request, pk: int):
    store = selectors.store_get_for_admin(request.user, pk)
    form = ChannelsForm(
        request.POST or None,
        instance=store,
        initial=model_to_dict(
            support_settings([store.pk])[store.pk], fields=SUPPORT_FIELDS
        ),
    )
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            services.store_update(store=store, actor=request.user, values=form.values())
            support_settings_update(
                store=store,
                actor=request.user,
                **{name: form.cleaned_data[name] for name in SUPPORT_FIELDS},
            )
        url = reverse("workspace:settings:channels")
        return saved(request, f"Channels of {store.name} saved.", url)
    return page(
        request,
        "workspace/settings/channel_form.html",
        merchant=store.merchant,
        section="channels",
        store=store,
        form=form,
        channels=store_channels(store),
    )
