import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "performile.settings.base")

app = Celery("performile")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
