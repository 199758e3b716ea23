"""The workspace's pages: each part includes its own URLs here."""

from django.urls import include, path

app_name = "workspace"
urlpatterns = [
    path("settings/", include("workspace.settings.urls")),
    path("customers/", include("workspace.customers.urls")),
    path("", include("workspace.dashboard.urls")),
]
