"""The workspace's pages: each part includes its own URLs here."""

from django.urls import include, path

app_name = "workspace"
urlpatterns = [
    path("", include("workspace.dashboard.urls")),
]
