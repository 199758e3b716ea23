from django.urls import path

from messaging import (
    bulk_views,
    canned_views,
    conversation_views,
    label_views,
    views,
    whatsapp_template_views,
)

app_name = "messaging"
urlpatterns = [
    path("", views.inbox_view, name="inbox"),
    path("bulk/", bulk_views.inbox_bulk_view, name="bulk"),
    path("unmatched/", views.unmatched_view, name="unmatched"),
    path("unmatched/<int:pk>/link/", views.unmatched_link_view, name="link"),
    path("metrics/", views.metrics_view, name="metrics"),
    path("canned/", canned_views.canned_list_view, name="canned"),
    path("canned/<int:pk>/", canned_views.canned_edit_view, name="canned-edit"),
    path(
        "canned/<int:pk>/delete/", canned_views.canned_delete_view, name="canned-delete"
    ),
    path("labels/", label_views.label_list_view, name="labels"),
    path("labels/<int:pk>/", label_views.label_edit_view, name="label-edit"),
    path("labels/<int:pk>/delete/", label_views.label_delete_view, name="label-delete"),
    path(
        "whatsapp-templates/",
        whatsapp_template_views.whatsapp_template_list_view,
        name="whatsapp-templates",
    ),
    path(
        "whatsapp-templates/<int:pk>/",
        whatsapp_template_views.whatsapp_template_edit_view,
        name="whatsapp-template-edit",
    ),
    path(
        "whatsapp-templates/<int:pk>/delete/",
        whatsapp_template_views.whatsapp_template_delete_view,
        name="whatsapp-template-delete",
    ),
    path("orders/<int:order_pk>/", views.thread_panel_view, name="thread"),
    path(
        "orders/<int:order_pk>/conversation/",
        conversation_views.conversation_view,
        name="conversation",
    ),
    path(
        "orders/<int:order_pk>/labels/",
        conversation_views.thread_labels_view,
        name="thread-labels",
    ),
    path(
        "orders/<int:order_pk>/snooze/",
        conversation_views.thread_snooze_view,
        name="snooze",
    ),
    path("orders/<int:order_pk>/post/", views.thread_post_view, name="post"),
    path("orders/<int:order_pk>/close/", views.thread_close_view, name="close"),
    path("orders/<int:order_pk>/reopen/", views.thread_reopen_view, name="reopen"),
    path("attachments/<int:pk>/", views.attachment_download_view, name="attachment"),
]
