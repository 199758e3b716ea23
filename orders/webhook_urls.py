from django.urls import path

from orders import webhooks

urlpatterns = [
    path(
        "shopify/<uuid:webhook_key>/orders",
        webhooks.shopify_orders,
        name="webhook-shopify",
    ),
    path(
        "woocommerce/<uuid:webhook_key>/orders",
        webhooks.woocommerce_orders,
        name="webhook-woocommerce",
    ),
    path("orders/<uuid:webhook_key>", webhooks.generic_orders, name="webhook-orders"),
]
