"""One order's conversation: read a page of it, write in it, mark it read, close
and reopen it."""

from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_serializer,
)
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from messaging import inbox, selectors, services
from messaging.api.common import int_param
from messaging.api.serializers import (
    MessageSerializer,
    ThreadInfoSerializer,
    message_context,
    render_message,
    thread_info,
)
from messaging.models import Message
from messaging.services.reply_files import LIMITS_TEXT
from orders.selectors import order_get_for_user

Visibility = Message.Visibility
REPLY_CHANNELS = ["auto", "email", "sms", "whatsapp", "in_app"]


class OrderMessagesApi(APIView):
    """The order's conversation as you may see it (customers, suppliers and
    resellers: public messages; the merchant's staff and admins: internal notes
    too), oldest first; or write in it."""

    permission_classes = [IsAuthenticated]

    @extend_schema_serializer(component_name="MessagePost")
    class InputSerializer(serializers.Serializer):
        body = serializers.CharField(allow_blank=True, trim_whitespace=False)
        visibility = serializers.ChoiceField(
            choices=Visibility.values, default=Visibility.PUBLIC
        )
        channel = serializers.ChoiceField(
            choices=REPLY_CHANNELS,
            default="auto",
            help_text="Staff replies only: the channel the reply goes out on"
            " (auto: the one the customer last used).",
        )
        files = serializers.ListField(
            child=serializers.FileField(),
            required=False,
            default=list,
            help_text="Staff replies and internal notes only, as multipart/form-data:"
            f" {LIMITS_TEXT} By email they go attached; by SMS or WhatsApp as a"
            " link to the customer's portal.",
        )

    @extend_schema_serializer(component_name="MessageThread")
    class OutputSerializer(serializers.Serializer):
        thread = ThreadInfoSerializer()
        messages = MessageSerializer(many=True)
        has_more = serializers.BooleanField(
            help_text="More messages beyond this page (older ones, or newer ones"
            " with `after`)."
        )

    @extend_schema(
        parameters=[
            OpenApiParameter("limit", int, description="1 to 200; default 50."),
            OpenApiParameter(
                "before", int, description="Older page: messages before this id."
            ),
            OpenApiParameter(
                "after", int, description="Catch up: messages after this id."
            ),
        ],
        responses=OutputSerializer,
    )
    def get(self, request, pk: int):
        order = order_get_for_user(request.user, pk)
        params = request.query_params
        page = inbox.thread_page(
            request.user,
            order,
            limit=int_param(params, "limit", default=50, high=200),
            before=int_param(params, "before"),
            after=int_param(params, "after", low=0),
        )
        context = message_context(request.user, page.read_up_to)
        return Response(
            {
                "thread": thread_info(page.thread, page.unread),
                "messages": MessageSerializer(
                    page.messages, many=True, context=context
                ).data,
                "has_more": page.has_more,
            }
        )

    @extend_schema(request=InputSerializer, responses={201: MessageSerializer})
    def post(self, request, pk: int):
        order = order_get_for_user(request.user, pk)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        message = services.message_post(
            order=order,
            actor=request.user,
            body=data["body"],
            visibility=data["visibility"],
            channel=data["channel"],
            files=data["files"],
        )
        return Response(
            render_message(request.user, order, message.pk),
            status=status.HTTP_201_CREATED,
        )


class MessageReadApi(APIView):
    """You have read this message and everything before it in the thread."""

    permission_classes = [IsAuthenticated]

    @extend_schema_serializer(component_name="MessageReadResult")
    class OutputSerializer(serializers.Serializer):
        marked = serializers.IntegerField(help_text="Messages newly marked read.")
        unread = serializers.IntegerField(help_text="Still unread in the thread.")

    @extend_schema(request=None, responses=OutputSerializer)
    def patch(self, request, pk: int, message_id: int):
        order = order_get_for_user(request.user, pk)
        message = selectors.message_get_for_user(request.user, order, message_id)
        marked = services.messages_mark_read(
            order=order, message=message, user=request.user
        )
        unread = selectors.thread_unread_count(request.user, message.thread)
        return Response({"marked": marked, "unread": unread})


class _ThreadStatusApi(APIView):
    permission_classes = [IsAuthenticated]
    change = None

    @extend_schema(request=None, responses=ThreadInfoSerializer)
    def post(self, request, pk: int):
        order = order_get_for_user(request.user, pk)
        thread = type(self).change(order=order, actor=request.user)
        unread = selectors.thread_unread_count(request.user, thread)
        return Response(thread_info(thread, unread))


class ThreadCloseApi(_ThreadStatusApi):
    """Mark the conversation resolved (a new customer message reopens it)."""

    change = staticmethod(services.thread_close)


class ThreadReopenApi(_ThreadStatusApi):
    """Open the conversation again."""

    change = staticmethod(services.thread_reopen)
