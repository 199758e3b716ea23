from django.urls import path

from shipments import webhooks

urlpatterns = [
    path(
        "<str:courier_code>/<uuid:webhook_key>",
        webhooks.courier_tracking,
        name="webhook-courier",
    ),
]
