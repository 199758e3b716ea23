from django.urls import path

from shipments import views

app_name = "shipments"
urlpatterns = [
    path("orders/<int:order_pk>/book/", views.shipment_book_view, name="book"),
    path("orders/<int:order_pk>/claim/", views.claim_file_view, name="claim"),
    path(
        "orders/<int:order_pk>/panel/",
        views.order_shipments_panel_view,
        name="order-panel",
    ),
    path("<int:pk>/refresh/", views.shipment_refresh_view, name="refresh"),
    path("performance/", views.courier_performance_view, name="performance"),
    path("bulk/", views.bulk_booking_view, name="bulk"),
    path("bulk/<int:pk>/", views.bulk_booking_progress_view, name="bulk-progress"),
]
