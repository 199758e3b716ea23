from django.urls import path

from shipments import api

urlpatterns = [
    path("book", api.ShipmentBookApi.as_view(), name="api-shipment-book"),
    path("services", api.CourierServicesApi.as_view(), name="api-courier-services"),
    path(
        "performance",
        api.CourierPerformanceApi.as_view(),
        name="api-courier-performance",
    ),
    path("<int:pk>/label", api.ShipmentLabelApi.as_view(), name="api-shipment-label"),
    path(
        "<int:pk>/claims", api.ShipmentClaimsApi.as_view(), name="api-shipment-claims"
    ),
    path(
        "claims/<int:pk>/status", api.ClaimStatusApi.as_view(), name="api-claim-status"
    ),
]
