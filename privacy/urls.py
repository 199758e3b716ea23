from django.urls import path

from privacy import views

app_name = "privacy"
urlpatterns = [
    path("requests/", views.requests_view, name="requests"),
    path(
        "requests/<int:pk>/decline/",
        views.request_decline_view,
        name="request-decline",
    ),
    path("customers/<int:pk>/", views.customer_privacy_view, name="customer"),
    path(
        "customers/<int:pk>/export/",
        views.customer_export_view,
        name="customer-export",
    ),
    path("customers/<int:pk>/erase/", views.customer_erase_view, name="customer-erase"),
]
