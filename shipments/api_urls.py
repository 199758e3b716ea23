from django.urls import path

from shipments import api

urlpatterns = [
    path("book", api.ShipmentBookApi.as_view(), name="api-shipment-book"),
    path("bulk-book", api.BulkBookApi.as_view(), name="api-bulk-book"),
    path("bulk-book/<int:pk>", api.BulkBookingApi.as_view(), name="api-bulk-booking"),
    path("services", api.CourierServicesApi.as_view(), name="api-courier-services"),
    path(
        "performance",
        api.CourierPerformanceApi.as_view(),
        name="api-courier-performance",
    ),
    path("<int:pk>/label", api.ShipmentLabelApi.as_view(), name="api-shipment-label"),
    path(
        "<int:pk>/refresh",
        api.ShipmentRefreshApi.as_view(),
        name="api-shipment-refresh",
    ),
    path(
        "<int:pk>/claims", api.ShipmentClaimsApi.as_view(), name="api-shipment-claims"
    ),
    path(
        "claims/<int:pk>/status", api.ClaimStatusApi.as_view(), name="api-claim-status"
    ),
]
