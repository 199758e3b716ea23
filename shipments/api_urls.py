from django.urls import path

from shipments.api import booking, bulk, claims, performance, tracking

urlpatterns = [
    path("book", booking.ShipmentBookApi.as_view(), name="api-shipment-book"),
    path("bulk-book", bulk.BulkBookApi.as_view(), name="api-bulk-book"),
    path("bulk-book/<int:pk>", bulk.BulkBookingApi.as_view(), name="api-bulk-booking"),
    path("services", booking.CourierServicesApi.as_view(), name="api-courier-services"),
    path(
        "performance",
        performance.CourierPerformanceApi.as_view(),
        name="api-courier-performance",
    ),
    path(
        "<int:pk>/label", booking.ShipmentLabelApi.as_view(), name="api-shipment-label"
    ),
    path(
        "<int:pk>/refresh",
        tracking.ShipmentRefreshApi.as_view(),
        name="api-shipment-refresh",
    ),
    path(
        "<int:pk>/claims",
        claims.ShipmentClaimsApi.as_view(),
        name="api-shipment-claims",
    ),
    path(
        "claims/<int:pk>/status",
        claims.ClaimStatusApi.as_view(),
        name="api-claim-status",
    ),
]
