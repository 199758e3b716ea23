"""A customer's data over the API: the export (the same zip as the staff page)
and the erasure. The merchant's staff and admins only; anyone else's customer is
404."""

from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from orders.api.views import IsMerchantMember
from privacy import selectors, services
from privacy.views import export_response


class CustomerExportApi(APIView):
    """Everything about the customer: a zip of customer.json, their invoice,
    credit note and statement PDFs and their message attachments
    (docs/privacy.md). Audited."""

    permission_classes = [IsMerchantMember]

    @extend_schema(responses={(200, "application/zip"): bytes})
    def get(self, request, pk: int):
        customer = selectors.customer_get_for_team(request.user, pk)
        export = services.customer_export(customer=customer, actor=request.user)
        return export_response(export)


class CustomerEraseApi(APIView):
    """Erase the customer's personal data by pseudonymisation (irreversible;
    docs/privacy.md). `confirmation` must be the customer number."""

    permission_classes = [IsMerchantMember]

    @extend_schema_serializer(component_name="CustomerErase")
    class InputSerializer(serializers.Serializer):
        confirmation = serializers.CharField(
            help_text="The customer number, typed again."
        )
        reason = serializers.CharField(required=False, allow_blank=True, default="")

    @extend_schema_serializer(component_name="CustomerErased")
    class OutputSerializer(serializers.Serializer):
        customer_number = serializers.CharField()
        erased_at = serializers.DateTimeField()
        counts = serializers.DictField(
            help_text="What was replaced, redacted or deleted, by kind."
        )

    @extend_schema(request=InputSerializer, responses=OutputSerializer)
    def post(self, request, pk: int):
        customer = selectors.customer_get_for_team(request.user, pk)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        erasure = services.customer_erase(
            customer=customer, actor=request.user, **serializer.validated_data
        )
        return Response(
            self.OutputSerializer(
                {
                    "customer_number": erasure.customer.customer_number,
                    "erased_at": erasure.customer.erased_at,
                    "counts": erasure.counts,
                }
            ).data
        )
