from django.urls import path

from orders.views import listing, order

app_name = "orders"
urlpatterns = [
    path("", listing.order_list_view, name="list"),
    path("new/", order.order_create_view, name="create"),
    path("rows/", listing.order_rows_view, name="rows"),
    path("export.csv", listing.order_export_view, name="export"),
    path("bulk/status/", listing.order_bulk_status_view, name="bulk-status"),
    path("views/", listing.saved_view_create_view, name="view-create"),
    path("views/<int:pk>/rename/", listing.saved_view_rename_view, name="view-rename"),
    path("views/<int:pk>/delete/", listing.saved_view_delete_view, name="view-delete"),
    path("<int:pk>/edit/", order.order_edit_view, name="edit"),
    path("<int:pk>/delete/", order.order_delete_view, name="delete"),
    path("<int:pk>/notify/", order.order_notify_view, name="notify"),
    path("<int:pk>/", order.order_detail_view, name="detail"),
    path("<int:pk>/status/", order.order_change_status_view, name="change-status"),
    path("<int:pk>/assign/", order.order_assign_view, name="assign"),
    path("<int:pk>/reviewed/", order.order_reviewed_view, name="reviewed"),
    path("<int:pk>/customer/merge/", order.customer_merge_view, name="customer-merge"),
]
