"""Claims against the courier: file, list, move along."""

from decimal import Decimal

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from orders.api.views import IsMerchantMember
from shipments import claims, selectors
from shipments.models import Claim


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
