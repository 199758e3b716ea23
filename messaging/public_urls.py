"""Public files of the stores' emails, fetched by mail clients without a sign-in
(outside the signed-in app's URLs and their isolation sweep)."""

from django.urls import path

from messaging.branding_views import brand_logo_view

urlpatterns = [
    path("logos/<str:name>", brand_logo_view, name="brand-logo"),
]
