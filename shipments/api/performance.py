"""Courier performance: on-time rate and delivery times per courier."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from orders.api.views import IsMerchantMember
from shipments import performance


class PeriodSerializer(serializers.Serializer):
    since = serializers.DateField(required=False)
    until = serializers.DateField(required=False)

    def validate(self, attrs):
        dates = performance.period(**attrs)
        if dates["since"] > dates["until"]:
            raise serializers.ValidationError({"since": ["Must be before until."]})
        return dates


class CourierPerformanceApi(APIView):
    """On-time rate (against the first promised ETA), p50/p90 delivery time and
    exceptions per courier and service, for parcels delivered in the period
    (default: the last 30 days)."""

    permission_classes = [IsMerchantMember]

    @extend_schema(parameters=[PeriodSerializer], responses=OpenApiTypes.OBJECT)
    def get(self, request):
        period = PeriodSerializer(data=request.query_params)
        period.is_valid(raise_exception=True)
        rows = performance.courier_performance(request.user, **period.validated_data)
        return Response(
            {**{k: str(v) for k, v in period.validated_data.items()}, "couriers": rows}
        )
