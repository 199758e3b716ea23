from django.apps import AppConfig


class WorkspaceConfig(AppConfig):
    """The merchant's workspace across the apps: the home dashboard, the customer
    directory and the settings pages. It reads every domain app, so it sits above
    them (and the portal); only the demo sits above it."""

    name = "workspace"
