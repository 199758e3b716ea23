"""Booking a shipment: the services on offer, booking, the label."""

from decimal import Decimal

from django.http import FileResponse, Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_serializer,
)
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from orders import selectors as order_selectors
from orders.api.views import IsMerchantMember
from shipments import selectors, services
from shipments.couriers.base import ServiceType
from shipments.models import Shipment


class ParcelSerializer(serializers.Serializer):
    weight_kg = serializers.DecimalField(
        max_digits=8, decimal_places=3, min_value=Decimal("0.001")
    )
    length_cm = serializers.DecimalField(
        max_digits=6, decimal_places=1, min_value=Decimal("0"), default=Decimal("0")
    )
    width_cm = serializers.DecimalField(
        max_digits=6, decimal_places=1, min_value=Decimal("0"), default=Decimal("0")
    )
    height_cm = serializers.DecimalField(
        max_digits=6, decimal_places=1, min_value=Decimal("0"), default=Decimal("0")
    )


@extend_schema_serializer(component_name="ShipmentAddress")
class AddressSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    company = serializers.CharField(
        max_length=200, required=False, allow_blank=True, default=""
    )
    line1 = serializers.CharField(max_length=200)
    line2 = serializers.CharField(
        max_length=200, required=False, allow_blank=True, default=""
    )
    postal_code = serializers.CharField(max_length=20)
    city = serializers.CharField(max_length=100)
    country = serializers.CharField(min_length=2, max_length=2)
    phone = serializers.CharField(
        max_length=30, required=False, allow_blank=True, default=""
    )
    email = serializers.EmailField(required=False, allow_blank=True, default="")


class BookInputSerializer(serializers.Serializer):
    order = serializers.IntegerField()
    account = serializers.IntegerField(
        help_text="A courier account of the order's merchant."
    )
    service_code = serializers.CharField(max_length=64)
    service_type = serializers.ChoiceField(
        choices=ServiceType.CHOICES, default=ServiceType.HOME
    )
    sender = AddressSerializer(
        required=False, help_text="Defaults to the store's pickup address."
    )
    recipient = AddressSerializer(
        required=False, help_text="Defaults to the order's delivery address."
    )
    parcels = ParcelSerializer(
        many=True, required=False, help_text="Defaults to the order's package."
    )


class ShipmentSerializer(serializers.ModelSerializer):
    courier = serializers.CharField(source="account.name")
    label_url = serializers.SerializerMethodField()
    tracking_url = serializers.CharField(source="order.tracking_url")

    class Meta:
        model = Shipment
        fields = [
            "id",
            "order",
            "courier",
            "service_code",
            "service_type",
            "tracking_number",
            "tracking_url",
            "status",
            "price",
            "currency",
            "estimated_delivery",
            "label_url",
            "stuck",
            "created_at",
        ]

    def get_label_url(self, shipment) -> str:
        return f"/api/shipments/{shipment.pk}/label" if shipment.label else ""


class ShipmentBookApi(APIView):
    """Book the order's parcel. A repeated request for the same order returns the
    shipment already booked (200) instead of booking twice."""

    permission_classes = [IsMerchantMember]

    @extend_schema(
        request=BookInputSerializer,
        responses={201: ShipmentSerializer, 200: ShipmentSerializer},
    )
    def post(self, request):
        given = BookInputSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        order = order_selectors.order_get_for_user(request.user, data["order"])
        account = (
            selectors.courier_accounts_for_order(order)
            .filter(pk=data["account"])
            .first()
        )
        if account is None:
            raise serializers.ValidationError({"account": ["Unknown courier account."]})
        defaults = services.shipment_defaults(order)
        shipment, booked = services.shipment_book(
            order=order,
            account=account,
            service_code=data["service_code"],
            service_type=data["service_type"],
            sender=data.get("sender") or defaults["sender"],
            recipient=data.get("recipient") or defaults["recipient"],
            parcels=data.get("parcels") or defaults["parcels"],
            actor=request.user,
        )
        return Response(
            ShipmentSerializer(shipment).data,
            status=status.HTTP_201_CREATED if booked else status.HTTP_200_OK,
        )


class CourierServicesApi(APIView):
    """Step 1 of booking: each courier account's services for an order, with a
    rough price and transit time. A courier that cannot answer is listed with its
    error instead."""

    permission_classes = [IsMerchantMember]

    @extend_schema(
        parameters=[OpenApiParameter("order", int, required=True)],
        responses=OpenApiTypes.OBJECT,
    )
    def get(self, request):
        order = order_selectors.order_get_for_user(
            request.user, request.query_params.get("order")
        )
        results = [
            {
                "account": entry["account"].pk,
                "courier": entry["account"].name,
                "error": entry["error"],
                "services": [
                    {
                        "code": option.code,
                        "name": option.name,
                        "service_type": option.service_type,
                        "price": f"{option.price:.2f}",
                        "currency": option.currency,
                        "transit_days": option.transit_days,
                    }
                    for option in entry["services"]
                ],
            }
            for entry in selectors.courier_services(
                selectors.courier_accounts_for_order(order)
            )
        ]
        return Response({"order": order.pk, "couriers": results})


class ShipmentLabelApi(APIView):
    """The shipping label (PDF), stored when the shipment was booked."""

    permission_classes = [IsMerchantMember]

    @extend_schema(responses={(200, "application/pdf"): bytes})
    def get(self, request, pk: int):
        shipment = selectors.shipment_get_for_user(request.user, pk)
        if not shipment.label:
            raise Http404("This shipment has no label.")
        return FileResponse(
            shipment.label.open("rb"),
            content_type="application/pdf",
            as_attachment=request.query_params.get("print") != "1",
            filename=f"label-{shipment.tracking_number}.pdf",
        )
