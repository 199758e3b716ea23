from django.urls import path

from messaging import api

urlpatterns = [
    path(
        "orders/<int:pk>/messages",
        api.OrderMessagesApi.as_view(),
        name="api-order-messages",
    ),
    path(
        "orders/<int:pk>/messages/<int:message_id>/read",
        api.MessageReadApi.as_view(),
        name="api-message-read",
    ),
    path(
        "orders/<int:pk>/messages/close",
        api.ThreadCloseApi.as_view(),
        name="api-thread-close",
    ),
    path(
        "orders/<int:pk>/messages/reopen",
        api.ThreadReopenApi.as_view(),
        name="api-thread-reopen",
    ),
    path(
        "admin/messages/search",
        api.MessageSearchApi.as_view(),
        name="api-message-search",
    ),
    path(
        "messages/unmatched",
        api.UnmatchedListApi.as_view(),
        name="api-unmatched",
    ),
    path(
        "messages/unmatched/<int:message_id>/link",
        api.UnmatchedLinkApi.as_view(),
        name="api-unmatched-link",
    ),
    path("messages/unread", api.UnreadCountsApi.as_view(), name="api-unread"),
    path(
        "messages/metrics", api.MessageMetricsApi.as_view(), name="api-message-metrics"
    ),
]
