from django.urls import path

from messaging.api import metrics, search, threads, unmatched, unread

urlpatterns = [
    path(
        "orders/<int:pk>/messages",
        threads.OrderMessagesApi.as_view(),
        name="api-order-messages",
    ),
    path(
        "orders/<int:pk>/messages/<int:message_id>/read",
        threads.MessageReadApi.as_view(),
        name="api-message-read",
    ),
    path(
        "orders/<int:pk>/messages/close",
        threads.ThreadCloseApi.as_view(),
        name="api-thread-close",
    ),
    path(
        "orders/<int:pk>/messages/reopen",
        threads.ThreadReopenApi.as_view(),
        name="api-thread-reopen",
    ),
    path(
        "admin/messages/search",
        search.MessageSearchApi.as_view(),
        name="api-message-search",
    ),
    path(
        "messages/unmatched",
        unmatched.UnmatchedListApi.as_view(),
        name="api-unmatched",
    ),
    path(
        "messages/unmatched/<int:message_id>/link",
        unmatched.UnmatchedLinkApi.as_view(),
        name="api-unmatched-link",
    ),
    path("messages/unread", unread.UnreadCountsApi.as_view(), name="api-unread"),
    path(
        "messages/metrics",
        metrics.MessageMetricsApi.as_view(),
        name="api-message-metrics",
    ),
]
