"""Asking the courier for fresh tracking of one shipment."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from orders.api.views import IsMerchantMember
from shipments import polling, selectors
from shipments.api.booking import ShipmentSerializer
from shipments.models import TrackingEvent


class TrackingEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = TrackingEvent
        fields = ["status", "raw_code", "occurred_at", "description", "location"]


class ShipmentTrackingSerializer(ShipmentSerializer):
    events = TrackingEventSerializer(many=True)

    class Meta(ShipmentSerializer.Meta):
        fields = [
            *ShipmentSerializer.Meta.fields,
            "kind",
            "raw_status",
            "last_event_at",
            "delivered_at",
            "events",
        ]


class ShipmentErrorDetailSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()


class ShipmentErrorSerializer(serializers.Serializer):
    """The one JSON error shape (performile.errors)."""

    error = ShipmentErrorDetailSerializer()


class ShipmentRefreshApi(APIView):
    """Ask the courier now (within the account's rate limit) and answer the
    shipment's fresh status and events. A courier that cannot answer is a 502 (it
    refused or does not know the number) or 503 (down, busy: try again), and
    nothing changes."""

    permission_classes = [IsMerchantMember]

    @extend_schema(
        request=None,
        responses={
            200: ShipmentTrackingSerializer,
            404: ShipmentErrorSerializer,
            502: ShipmentErrorSerializer,
            503: ShipmentErrorSerializer,
        },
    )
    def post(self, request, pk: int):
        shipment = selectors.shipment_get_for_user(request.user, pk)
        polling.shipment_refresh(shipment.pk)
        fresh = selectors.shipment_get_for_user(request.user, pk)
        return Response(ShipmentTrackingSerializer(fresh).data)
