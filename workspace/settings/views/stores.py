"""The business (name, time zone, currency) and its stores: the webshop
connection, the webhook URL and secret (masked; reveal and rotate, audited), a
test delivery, the pickup address."""

from django.conf import settings
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import (
    require_http_methods,
    require_POST,
    require_safe,
)

from orders import services
from orders.models import Source, Store
from orders.webhooks import webhook_test_delivery
from workspace.settings import selectors
from workspace.settings.forms import (
    MerchantForm,
    StoreForm,
    WebhookSecretForm,
    WebhookTestForm,
)
from workspace.settings.views.common import (
    FAILED,
    admin_only,
    current_merchant,
    merchant_query,
    page,
    saved,
    written,
)

WEBHOOK_URL_NAMES = {
    Source.SHOPIFY: "webhook-shopify",
    Source.WOOCOMMERCE: "webhook-woocommerce",
}


def webhook_url(store: Store) -> str:
    """Where the store's platform posts its orders (the JSON endpoint for a
    store without a webshop: docs/webhooks.md)."""
    name = WEBHOOK_URL_NAMES.get(store.platform, "webhook-orders")
    return settings.PUBLIC_BASE_URL.rstrip("/") + reverse(
        name, args=[store.webhook_key]
    )


@admin_only
@require_safe
def settings_home_view(request):
    merchant = current_merchant(request)
    return redirect(
        reverse("workspace:settings:stores") + merchant_query(request, merchant)
    )


@admin_only
@require_http_methods(["GET", "POST"])
def business_view(request):
    merchant = current_merchant(request)
    form = MerchantForm(request.POST or None, instance=merchant)
    if request.method == "POST" and form.is_valid():
        services.merchant_update(
            merchant=merchant, actor=request.user, values=form.values()
        )
        here = reverse("workspace:settings:business") + merchant_query(
            request, merchant
        )
        return saved(request, "Business details saved.", here)
    return page(
        request,
        "workspace/settings/business.html",
        merchant=merchant,
        section="business",
        form=form,
    )


@admin_only
@require_safe
def store_list_view(request):
    merchant = current_merchant(request)
    stores = [
        (store, webhook_url(store))
        for store in selectors.admin_stores(request.user, merchant)
    ]
    return page(
        request,
        "workspace/settings/stores.html",
        merchant=merchant,
        section="stores",
        stores=stores,
    )


@admin_only
@require_http_methods(["GET", "POST"])
def store_create_view(request):
    merchant = current_merchant(request)
    form = StoreForm(
        request.POST or None,
        initial={"currency": merchant.default_currency},
    )
    if request.method == "POST" and form.is_valid():
        store = services.store_create(
            merchant=merchant, actor=request.user, values=form.values()
        )
        url = reverse("workspace:settings:store", args=[store.pk])
        return saved(request, f"Store {store.name} added.", url)
    return page(
        request,
        "workspace/settings/store_form.html",
        merchant=merchant,
        section="stores",
        form=form,
    )


@admin_only
@require_http_methods(["GET", "POST"])
def store_edit_view(request, pk: int):
    store = selectors.store_get_for_admin(request.user, pk)
    form = StoreForm(request.POST or None, instance=store)
    if request.method == "POST" and form.is_valid():
        changed = services.store_update(
            store=store, actor=request.user, values=form.values()
        )
        text = "Store saved." if changed else "Nothing changed."
        return saved(request, text, reverse("workspace:settings:store", args=[pk]))
    return _store_page(request, store, form=form)


def _store_page(request, store, **context):
    context.setdefault("form", StoreForm(instance=store))
    return page(
        request,
        "workspace/settings/store_form.html",
        merchant=store.merchant,
        section="stores",
        store=store,
        webhook_url=webhook_url(store),
        secret_form=context.pop("secret_form", WebhookSecretForm()),
        test_form=WebhookTestForm(),
        **context,
    )


@admin_only
@require_POST
def store_secret_reveal_view(request, pk: int):
    store = selectors.store_get_for_admin(request.user, pk)
    secret = services.store_reveal_webhook_secret(store=store, actor=request.user)
    return render(
        request,
        "workspace/settings/_secret.html",
        {"secret": secret, "revealed": True, "reveal_url": request.path},
    )


@admin_only
@require_POST
def store_secret_rotate_view(request, pk: int):
    store = selectors.store_get_for_admin(request.user, pk)
    form = WebhookSecretForm(request.POST)
    if not form.is_valid():
        return _store_page(request, store, secret_form=form, status=400)
    new_secret = form.cleaned_data["secret"] or services.new_webhook_secret()
    result = written(
        form,
        lambda: services.store_rotate_webhook_secret(
            store=store, new_secret=new_secret, actor=request.user
        ),
    )
    if result is FAILED:
        return _store_page(request, store, secret_form=form, status=400)
    return saved(
        request,
        "Webhook secret replaced; the previous one works for another hour."
        " Reveal the new one to paste it into your shop.",
        reverse("workspace:settings:store", args=[pk]),
    )


@admin_only
@require_POST
def store_webhook_test_view(request, pk: int):
    store = selectors.store_get_for_admin(request.user, pk)
    form = WebhookTestForm(request.POST)
    secret = form.cleaned_data["secret"] if form.is_valid() else ""
    check = webhook_test_delivery(store, secret=secret)
    return render(
        request,
        "workspace/settings/_webhook_test.html",
        {"check": check, "store": store},
    )
