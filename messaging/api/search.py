"""Full-text search of messages across the merchant's threads."""

from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_serializer,
    inline_serializer,
)
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from messaging.api.common import IsMerchantStaff, int_param
from messaging.api.serializers import AuthorSerializer, MessageSerializer
from messaging.filters import inbox_filters_from
from messaging.models import Message, Thread
from messaging.search import SearchHit, message_search

FILTER_PARAMETERS = [
    OpenApiParameter("q", str, description="Keywords (web search syntax)."),
    OpenApiParameter("status", str, enum=Thread.Status.values),
    OpenApiParameter("unread", bool),
    OpenApiParameter("order_status", str),
    OpenApiParameter("channel", str, enum=Message.Channel.values),
    OpenApiParameter("store", int),
    OpenApiParameter("date_from", str, description="YYYY-MM-DD"),
    OpenApiParameter("date_to", str, description="YYYY-MM-DD, included."),
]


class MessageSearchApi(APIView):
    """Full-text search of messages (internal notes included), best match first,
    with highlighted snippets. The merchant's staff and admins only."""

    permission_classes = [IsMerchantStaff]

    @extend_schema_serializer(component_name="MessageSearchHit")
    class HitSerializer(serializers.Serializer):
        message_id = serializers.IntegerField()
        order_id = serializers.IntegerField()
        order_number = serializers.CharField()
        thread_status = serializers.CharField()
        channel = serializers.CharField()
        direction = serializers.CharField()
        visibility = serializers.CharField()
        author = AuthorSerializer()
        created_at = serializers.DateTimeField()
        rank = serializers.FloatField()
        snippet = serializers.CharField(
            help_text="HTML: the text escaped, the matches in <mark>."
        )

    @extend_schema(
        parameters=[
            *FILTER_PARAMETERS,
            OpenApiParameter("limit", int, description="1 to 100; default 25."),
            OpenApiParameter("offset", int, description="At most 1000."),
        ],
        responses=inline_serializer(
            "MessageSearchResults",
            {
                "results": HitSerializer(many=True),
                "limit": serializers.IntegerField(),
                "offset": serializers.IntegerField(),
                "has_more": serializers.BooleanField(),
            },
        ),
    )
    def get(self, request):
        params = request.query_params
        filters = inbox_filters_from(params)
        limit = int_param(params, "limit", default=25, high=100)
        offset = int_param(params, "offset", default=0, low=0, high=1000)
        hits = message_search(request.user, filters, limit=limit + 1, offset=offset)
        return Response(
            {
                "results": [_hit(hit) for hit in hits[:limit]],
                "limit": limit,
                "offset": offset,
                "has_more": len(hits) > limit,
            }
        )


def _hit(hit: SearchHit) -> dict:
    message = hit.message
    return {
        "message_id": message.pk,
        "order_id": hit.order.pk,
        "order_number": hit.order.order_number,
        "thread_status": message.thread.status,
        "channel": message.channel,
        "direction": message.direction,
        "visibility": message.visibility,
        "author": MessageSerializer().get_author(message),
        "created_at": serializers.DateTimeField().to_representation(message.created_at),
        "rank": hit.rank,
        "snippet": hit.snippet,
    }
