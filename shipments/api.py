"""REST endpoints for shipments: the services on offer, booking, labels, asking the
courier for fresh tracking, claims, bulk booking, courier performance."""

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
from shipments import bulk, claims, performance, polling, selectors, services
from shipments.couriers.base import ServiceType
from shipments.models import BulkBooking, Claim, Shipment, TrackingEvent


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


class ClaimSerializer(serializers.ModelSerializer):
    photos = serializers.SerializerMethodField()
    order = serializers.IntegerField(source="shipment.order_id")

    class Meta:
        model = Claim
        fields = [
            "id",
            "order",
            "shipment",
            "reason",
            "description",
            "amount",
            "currency",
            "approved_amount",
            "status",
            "photos",
            "created_at",
            "updated_at",
        ]

    def get_photos(self, claim) -> list[str]:
        return [photo.image.url for photo in claim.photos.all()]


class ClaimFileSerializer(serializers.Serializer):
    reason = serializers.ChoiceField(choices=Claim.Reason.choices)
    description = serializers.CharField(max_length=5000)
    amount = serializers.DecimalField(
        max_digits=10, decimal_places=2, min_value=Decimal("0.01")
    )
    currency = serializers.RegexField(r"^[A-Za-z]{3}$", required=False)
    photos = serializers.ListField(
        child=serializers.FileField(), required=False, default=list
    )


class ClaimStatusSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Claim.Status.choices)
    note = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=2000
    )
    approved_amount = serializers.DecimalField(
        max_digits=10, decimal_places=2, required=False
    )


class ShipmentClaimsApi(APIView):
    """The shipment's claims (GET), or file one (POST, JSON or multipart with
    photos)."""

    permission_classes = [IsMerchantMember]

    @extend_schema(responses=ClaimSerializer(many=True))
    def get(self, request, pk: int):
        shipment = selectors.shipment_get_for_user(request.user, pk)
        claims = shipment.claims.prefetch_related("photos")
        return Response(ClaimSerializer(claims, many=True).data)

    @extend_schema(request=ClaimFileSerializer, responses={201: ClaimSerializer})
    def post(self, request, pk: int):
        shipment = selectors.shipment_get_for_user(request.user, pk)
        given = ClaimFileSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        claim = claims.claim_file(
            shipment=shipment, actor=request.user, **given.validated_data
        )
        return Response(ClaimSerializer(claim).data, status=status.HTTP_201_CREATED)


class ClaimStatusApi(APIView):
    """Move a claim along filed → in review → approved / partly approved / rejected
    → paid."""

    permission_classes = [IsMerchantMember]

    @extend_schema(request=ClaimStatusSerializer, responses=ClaimSerializer)
    def post(self, request, pk: int):
        claim = selectors.claim_get_for_user(request.user, pk)
        given = ClaimStatusSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        claims.claim_change_status(
            claim=claim,
            to=data["status"],
            actor=request.user,
            note=data["note"],
            approved_amount=data.get("approved_amount"),
        )
        return Response(ClaimSerializer(claim).data)


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
