from django.apps import AppConfig


class ShipmentsConfig(AppConfig):
    name = "shipments"

    def ready(self):
        from performile import metrics
        from shipments import receivers  # noqa: F401
        from shipments.metrics import poll_failures

        metrics.register(poll_failures)
