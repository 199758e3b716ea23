from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from performile.health import healthz
from performile.metrics import scrape as metrics

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("metrics", metrics, name="metrics"),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("orders/", include("orders.urls")),
    path("portal/", include("portal.urls")),
    path("shipments/", include("shipments.urls")),
    path("messages/", include("messaging.urls")),
    path("rate/", include("messaging.rating_urls")),
    path("brand/", include("messaging.public_urls")),
    path("invoices/", include("invoices.urls")),
    path("privacy/", include("privacy.urls")),
    path("", include("workspace.urls")),
    path("api/", include("orders.api.urls")),
    path("api/", include("messaging.api_urls")),
    path("api/", include("invoices.api.urls")),
    path("api/", include("privacy.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # Swagger UI from our static files; its init script is /api/docs/?script, so
    # the page keeps our Content-Security-Policy (no inline script).
    path(
        "api/docs/",
        SpectacularSwaggerSplitView.as_view(url_name="api-schema"),
        name="api-docs",
    ),
    path("integrations/discord/", include("orders.discord.urls")),
    path("webhooks/couriers/", include("shipments.webhook_urls")),
    path("webhooks/", include("orders.webhook_urls")),
    path("webhooks/", include("messaging.webhook_urls")),
    path("webhooks/", include("invoices.webhook_urls")),
    path("api/shipments/", include("shipments.api_urls")),
]

# The API's error shape under /api/, /webhooks/ and /healthz; a database error
# raised outside a view (a middleware) is a 503 (performile.error_pages).
handler400 = "performile.error_pages.bad_request"
handler403 = "performile.error_pages.permission_denied"
handler404 = "performile.error_pages.page_not_found"
handler500 = "performile.error_pages.server_error"
