from django.urls import path

from orders.api import views

urlpatterns = [
    path("orders/", views.OrderListCreateApi.as_view(), name="api-orders"),
    path("orders/changes", views.OrderChangesApi.as_view(), name="api-order-changes"),
    path("orders/<int:pk>/", views.OrderDetailApi.as_view(), name="api-order-detail"),
    path(
        "orders/<int:pk>/status",
        views.OrderStatusApi.as_view(),
        name="api-order-status",
    ),
    path(
        "orders/<int:pk>/assign",
        views.OrderAssignApi.as_view(),
        name="api-order-assign",
    ),
    path(
        "customers/<int:pk>/merge",
        views.CustomerMergeApi.as_view(),
        name="api-customer-merge",
    ),
]
