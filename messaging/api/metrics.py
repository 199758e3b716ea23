"""Support metrics over a date range."""

from dataclasses import asdict

from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from messaging import metrics
from messaging.api.common import IsMerchantStaff


class MessageMetricsApi(APIView):
    """Support metrics per store and per staff member over a date range (by
    default the last 30 days): first response time, response time, messages per
    order, channel mix, unread counts, resolution time; per store, customer
    satisfaction (`satisfaction`: questions sent in the range, answered, average
    rating, `csat` = share of answers 4 or 5, `response_rate`; null without
    questions). Staff and admins only."""

    permission_classes = [IsMerchantStaff]

    @extend_schema(
        parameters=[
            OpenApiParameter("store", int),
            OpenApiParameter("staff", int, description="One staff member's row."),
            OpenApiParameter("date_from", str, description="YYYY-MM-DD"),
            OpenApiParameter("date_to", str, description="YYYY-MM-DD, included."),
        ],
        responses=inline_serializer(
            "MessageMetrics",
            {
                "date_from": serializers.DateField(),
                "date_to": serializers.DateField(),
                "stores": serializers.ListField(child=serializers.DictField()),
                "staff": serializers.ListField(child=serializers.DictField()),
            },
        ),
    )
    def get(self, request):
        filters = metrics.metrics_filters_from(request.query_params)
        result = metrics.messaging_metrics(request.user, filters)
        return Response(asdict(result))
