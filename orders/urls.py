from django.urls import path

from orders import views

app_name = "orders"
urlpatterns = [
    path("", views.order_list_view, name="list"),
    path("new/", views.order_create_view, name="create"),
    path("rows/", views.order_rows_view, name="rows"),
    path("export.csv", views.order_export_view, name="export"),
    path("bulk/status/", views.order_bulk_status_view, name="bulk-status"),
    path("views/", views.saved_view_create_view, name="view-create"),
    path("views/<int:pk>/rename/", views.saved_view_rename_view, name="view-rename"),
    path("views/<int:pk>/delete/", views.saved_view_delete_view, name="view-delete"),
    path("<int:pk>/edit/", views.order_edit_view, name="edit"),
    path("<int:pk>/delete/", views.order_delete_view, name="delete"),
    path("<int:pk>/notify/", views.order_notify_view, name="notify"),
    path("<int:pk>/", views.order_detail_view, name="detail"),
    path("<int:pk>/status/", views.order_change_status_view, name="change-status"),
    path("<int:pk>/assign/", views.order_assign_view, name="assign"),
    path("<int:pk>/reviewed/", views.order_reviewed_view, name="reviewed"),
    path("<int:pk>/customer/merge/", views.customer_merge_view, name="customer-merge"),
]
