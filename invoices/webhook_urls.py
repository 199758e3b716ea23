from django.urls import path

from invoices import webhooks

urlpatterns = [
    path("stripe/<uuid:key>", webhooks.stripe_events, name="stripe"),
]
