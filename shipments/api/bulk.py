"""Bulk booking: many orders with one courier service, in the background."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from orders.api.views import IsMerchantMember
from shipments import bulk, selectors
from shipments.couriers.base import ServiceType
from shipments.models import BulkBooking


class BulkBookInputSerializer(serializers.Serializer):
    orders = serializers.ListField(
        child=serializers.IntegerField(), min_length=1, max_length=500
    )
    account = serializers.IntegerField()
    service_code = serializers.CharField(max_length=64)
    service_type = serializers.ChoiceField(
        choices=ServiceType.CHOICES, default=ServiceType.HOME
    )


class BulkBookingSerializer(serializers.ModelSerializer):
    total = serializers.IntegerField()

    class Meta:
        model = BulkBooking
        fields = [
            "id",
            "status",
            "total",
            "booked",
            "failed",
            "errors",
            "created_at",
            "finished_at",
        ]


class BulkBookApi(APIView):
    """Book many orders with one courier service. Runs in the background: answers
    202 with the job, whose progress GET /api/shipments/bulk-book/<id> reports."""

    permission_classes = [IsMerchantMember]

    @extend_schema(
        request=BulkBookInputSerializer, responses={202: BulkBookingSerializer}
    )
    def post(self, request):
        given = BulkBookInputSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        account = (
            selectors.courier_accounts_for_user(request.user)
            .filter(pk=data["account"])
            .first()
        )
        if account is None:
            raise serializers.ValidationError({"account": ["Unknown courier account."]})
        job = bulk.bulk_booking_start(
            user=request.user,
            account=account,
            service_code=data["service_code"],
            service_type=data["service_type"],
            order_ids=data["orders"],
        )
        return Response(
            BulkBookingSerializer(job).data, status=status.HTTP_202_ACCEPTED
        )


class BulkBookingApi(APIView):
    permission_classes = [IsMerchantMember]

    @extend_schema(responses=BulkBookingSerializer)
    def get(self, request, pk: int):
        return Response(
            BulkBookingSerializer(
                selectors.bulk_booking_get_for_user(request.user, pk)
            ).data
        )
