"""Messages no order was found for: listed for staff, and linked to an order."""

from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_serializer,
)
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from messaging import selectors, services
from messaging.api.common import IsMerchantStaff, int_param
from messaging.api.serializers import (
    MessageSerializer,
    message_context,
    render_message,
)
from orders.selectors import order_get_for_user


class UnmatchedListApi(APIView):
    """Messages no order was found for, newest first, for staff to link."""

    permission_classes = [IsMerchantStaff]

    @extend_schema_serializer(component_name="UnmatchedMessages")
    class OutputSerializer(serializers.Serializer):
        messages = MessageSerializer(many=True)
        has_more = serializers.BooleanField()

    @extend_schema(
        parameters=[
            OpenApiParameter("limit", int, description="1 to 200; default 50."),
            OpenApiParameter("before", int, description="Messages before this id."),
        ],
        responses=OutputSerializer,
    )
    def get(self, request):
        params = request.query_params
        limit = int_param(params, "limit", default=50, high=200)
        before = int_param(params, "before")
        messages = selectors.unmatched_messages(request.user).order_by("-id")
        if before:
            messages = messages.filter(pk__lt=before)
        rows = list(messages.select_related("delivery")[: limit + 1])
        context = message_context(request.user)
        return Response(
            {
                "messages": MessageSerializer(
                    rows[:limit], many=True, context=context
                ).data,
                "has_more": len(rows) > limit,
            }
        )


class UnmatchedLinkApi(APIView):
    """Put an unmatched message in an order's thread."""

    permission_classes = [IsMerchantStaff]

    @extend_schema_serializer(component_name="UnmatchedLink")
    class InputSerializer(serializers.Serializer):
        order_id = serializers.IntegerField(min_value=1)

    @extend_schema(request=InputSerializer, responses=MessageSerializer)
    def post(self, request, message_id: int):
        message = selectors.unmatched_get_for_user(request.user, message_id)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        order = order_get_for_user(request.user, serializer.validated_data["order_id"])
        services.message_link(message=message, order=order, actor=request.user)
        return Response(render_message(request.user, order, message.pk))
