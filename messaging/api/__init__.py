"""REST endpoints for order messages. Thin: parse, call a selector or service,
render. Orders come through `order_get_for_user` and messages through
`messaging.selectors`: what the caller may not see is a 404.

By subdomain: `threads` (one order's conversation), `unread`, `search`,
`unmatched`, `metrics`; `serializers` renders a message as the caller sees it.
"""

from messaging.api.metrics import MessageMetricsApi
from messaging.api.search import MessageSearchApi
from messaging.api.threads import (
    MessageReadApi,
    OrderMessagesApi,
    ThreadCloseApi,
    ThreadReopenApi,
)
from messaging.api.unmatched import UnmatchedLinkApi, UnmatchedListApi
from messaging.api.unread import UnreadCountsApi

__all__ = [
    "MessageMetricsApi",
    "MessageReadApi",
    "MessageSearchApi",
    "OrderMessagesApi",
    "ThreadCloseApi",
    "ThreadReopenApi",
    "UnmatchedLinkApi",
    "UnmatchedListApi",
    "UnreadCountsApi",
]
