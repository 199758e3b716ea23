from django.apps import AppConfig


class PerformileConfig(AppConfig):
    name = "performile"
    verbose_name = "Platform"
