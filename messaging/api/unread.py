"""Your unread messages across conversations."""

from django.db.models import F
from drf_spectacular.utils import (
    extend_schema,
    extend_schema_serializer,
    inline_serializer,
)
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from messaging import inbox


class UnreadCountsApi(APIView):
    """Your unread messages: the total, and per conversation (newest first)."""

    permission_classes = [IsAuthenticated]
    LIMIT = 200

    @extend_schema_serializer(component_name="UnreadThread")
    class ThreadSerializer(serializers.Serializer):
        order_id = serializers.IntegerField()
        order_number = serializers.CharField()
        thread_id = serializers.IntegerField()
        unread = serializers.IntegerField()

    @extend_schema(
        responses=inline_serializer(
            "UnreadCounts",
            {
                "total": serializers.IntegerField(),
                "threads": ThreadSerializer(many=True),
                "truncated": serializers.BooleanField(
                    help_text=f"More than {LIMIT} conversations are unread."
                ),
            },
        )
    )
    def get(self, request):
        # `unread=True` keeps the threads whose newest message is unread (cheap);
        # counting happens for the listed ones, and over all only past LIMIT.
        threads = inbox.inbox_threads(request.user, inbox.InboxFilters(unread=True))
        rows = list(
            threads.values(
                "unread",
                "order_id",
                thread_id=F("pk"),
                order_number=F("order__order_number"),
            )[: self.LIMIT + 1]
        )
        truncated = len(rows) > self.LIMIT
        rows = [row for row in rows[: self.LIMIT] if row["unread"]]
        total = (
            inbox.unread_total(request.user, threads)
            if truncated
            else sum(row["unread"] for row in rows)
        )
        return Response(
            {
                "total": total,
                "threads": [
                    {
                        "order_id": row["order_id"],
                        "order_number": row["order_number"],
                        "thread_id": row["thread_id"],
                        "unread": row["unread"],
                    }
                    for row in rows
                ],
                "truncated": truncated,
            }
        )
