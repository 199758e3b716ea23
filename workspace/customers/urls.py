from django.urls import path

from workspace.customers import views

app_name = "customers"
urlpatterns = [
    path("", views.customer_list_view, name="list"),
    path("invite/", views.customer_invite_many_view, name="invite-many"),
    path("<int:pk>/", views.customer_detail_view, name="detail"),
    path("<int:pk>/access/", views.customer_access_view, name="access"),
    path("<int:pk>/language/", views.customer_language_view, name="language"),
    path("<int:pk>/invite/", views.customer_invite_view, name="invite"),
    path("<int:pk>/resend/", views.customer_resend_view, name="resend"),
    path("<int:pk>/revoke/", views.customer_revoke_view, name="revoke"),
    path("<int:pk>/merge/", views.customer_merge_view, name="merge"),
]
