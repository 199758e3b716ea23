"""The workspace's pages: each part includes its own URLs here."""

app_name = "workspace"
urlpatterns = []
