from django.urls import path

from shipments import views

app_name = "shipments"
urlpatterns = [
    path("orders/<int:order_pk>/book/", views.shipment_book_view, name="book"),
    path("performance/", views.courier_performance_view, name="performance"),
]
