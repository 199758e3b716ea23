"""REST endpoints for order messages. Thin: parse, call a selector or service,
render. Orders come through `order_get_for_user` and messages through
`messaging.selectors`: what the caller may not see is a 404."""

from dataclasses import asdict

from django.db.models import F
from django.urls import NoReverseMatch, reverse
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_serializer,
    inline_serializer,
)
from rest_framework import serializers, status
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from messaging import inbox, metrics, selectors, services
from messaging.models import Message, Thread
from orders.selectors import order_get_for_user, user_is_merchant_member
from performile.errors import ApplicationError

Visibility = Message.Visibility
REPLY_CHANNELS = ["auto", "email", "sms", "whatsapp", "in_app"]


class IsMerchantStaff(BasePermission):
    """Merchant staff, admins and superusers (not resellers, suppliers or
    customers)."""

    message = "This is for the merchant's staff and admins."

    def has_permission(self, request, view):
        return inbox.user_may_search(request.user)


# --- Rendering --------------------------------------------------------------------


class AuthorSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=["user", "customer", "system"])
    name = serializers.CharField()


class AttachmentSerializer(serializers.Serializer):
    filename = serializers.CharField()
    size = serializers.IntegerField()
    content_type = serializers.CharField()
    url = serializers.CharField(allow_null=True)


class DeliverySerializer(serializers.Serializer):
    status = serializers.CharField()
    channel = serializers.CharField()
    recipient = serializers.CharField(
        required=False, help_text="Merchant members only."
    )
    last_error = serializers.CharField(
        required=False, help_text="Merchant members only."
    )


class MessageSerializer(serializers.Serializer):
    """One message as the caller sees it. Context: `user`, `read_up_to` (how far
    the caller has read the thread), `member` (a merchant member: sees where a
    reply went and why it failed)."""

    id = serializers.IntegerField()
    order_id = serializers.SerializerMethodField()
    channel = serializers.CharField()
    direction = serializers.CharField()
    visibility = serializers.CharField()
    author = serializers.SerializerMethodField()
    subject = serializers.CharField()
    body = serializers.CharField()
    created_at = serializers.DateTimeField()
    attachments = serializers.SerializerMethodField()
    delivery = serializers.SerializerMethodField()
    read = serializers.SerializerMethodField()

    def get_order_id(self, message) -> int | None:
        return message.thread.order_id if message.thread_id else None

    @extend_schema_field(AuthorSerializer)
    def get_author(self, message) -> dict:
        if message.author_customer_id:
            kind = "customer"
        elif message.author_user_id:
            kind = "user"
        elif message.direction == Message.Direction.SYSTEM:
            kind = "system"
        else:
            kind = "customer"
        return {"type": kind, "name": message.author_name}

    @extend_schema_field(AttachmentSerializer(many=True))
    def get_attachments(self, message) -> list[dict]:
        return [
            {
                "filename": attachment.filename,
                "size": attachment.size,
                "content_type": attachment.content_type,
                "url": _attachment_url(attachment.pk),
            }
            for attachment in message.attachments.all()
        ]

    @extend_schema_field(DeliverySerializer(allow_null=True))
    def get_delivery(self, message) -> dict | None:
        delivery = message.delivery
        if message.direction != Message.Direction.OUTBOUND or delivery is None:
            return None
        shown = {"status": delivery.status, "channel": delivery.channel}
        if self.context.get("member"):
            shown["recipient"] = delivery.recipient
            shown["last_error"] = delivery.last_error
        return shown

    def get_read(self, message) -> bool:
        return inbox.message_is_read(
            message, self.context["user"], self.context.get("read_up_to", 0)
        )


class ThreadInfoSerializer(serializers.Serializer):
    status = serializers.CharField(help_text="open or closed")
    unread = serializers.IntegerField()
    closed_at = serializers.DateTimeField(allow_null=True)


def _attachment_url(pk: int) -> str | None:
    try:
        return reverse("messaging:attachment", args=[pk])
    except NoReverseMatch:
        return None


def _thread_info(thread: Thread | None, unread: int) -> dict:
    if thread is None:
        return {"status": Thread.Status.OPEN, "unread": 0, "closed_at": None}
    return {"status": thread.status, "unread": unread, "closed_at": thread.closed_at}


def _message_context(user, read_up_to: int = 0) -> dict:
    return {
        "user": user,
        "read_up_to": read_up_to,
        "member": user_is_merchant_member(user),
    }


def _int_param(params, name: str, *, default=None, low=1, high=None):
    raw = params.get(name)
    if raw in (None, ""):
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ApplicationError(
            f"{name} must be a whole number.", fields={name: ["Not a number."]}
        ) from None
    if value < low or (high is not None and value > high):
        bounds = f"between {low} and {high}" if high else f"at least {low}"
        raise ApplicationError(
            f"{name} must be {bounds}.", fields={name: ["Out of range."]}
        )
    return value


# --- One order's thread -----------------------------------------------------------


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
            limit=_int_param(params, "limit", default=50, high=200),
            before=_int_param(params, "before"),
            after=_int_param(params, "after", low=0),
        )
        context = _message_context(request.user, page.read_up_to)
        return Response(
            {
                "thread": _thread_info(page.thread, page.unread),
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
        )
        return Response(
            _render_message(request.user, order, message.pk),
            status=status.HTTP_201_CREATED,
        )


def _render_message(user, order, message_id: int) -> dict:
    message = selectors.message_get_for_user(user, order, message_id)
    context = _message_context(user, message.pk)
    return MessageSerializer(message, context=context).data


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
        return Response(_thread_info(thread, unread))


class ThreadCloseApi(_ThreadStatusApi):
    """Mark the conversation resolved (a new customer message reopens it)."""

    change = staticmethod(services.thread_close)


class ThreadReopenApi(_ThreadStatusApi):
    """Open the conversation again."""

    change = staticmethod(services.thread_reopen)


# --- Across threads ----------------------------------------------------------------


FILTER_PARAMETERS = [
    OpenApiParameter("q", str, description="Keywords (web search syntax)."),
    OpenApiParameter("status", str, enum=Thread.Status.values),
    OpenApiParameter("unread", bool),
    OpenApiParameter("order_status", str),
    OpenApiParameter("channel", str, enum=Message.Channel.values),
    OpenApiParameter("store", int),
    OpenApiParameter("date_from", str, description="YYYY-MM-DD"),
    OpenApiParameter("date_to", str, description="YYYY-MM-DD, included."),
]


class MessageSearchApi(APIView):
    """Full-text search of messages (internal notes included), best match first,
    with highlighted snippets. The merchant's staff and admins only."""

    permission_classes = [IsMerchantStaff]

    @extend_schema_serializer(component_name="MessageSearchHit")
    class HitSerializer(serializers.Serializer):
        message_id = serializers.IntegerField()
        order_id = serializers.IntegerField()
        order_number = serializers.CharField()
        thread_status = serializers.CharField()
        channel = serializers.CharField()
        direction = serializers.CharField()
        visibility = serializers.CharField()
        author = AuthorSerializer()
        created_at = serializers.DateTimeField()
        rank = serializers.FloatField()
        snippet = serializers.CharField(
            help_text="HTML: the text escaped, the matches in <mark>."
        )

    @extend_schema(
        parameters=[
            *FILTER_PARAMETERS,
            OpenApiParameter("limit", int, description="1 to 100; default 25."),
            OpenApiParameter("offset", int, description="At most 1000."),
        ],
        responses=inline_serializer(
            "MessageSearchResults",
            {
                "results": HitSerializer(many=True),
                "limit": serializers.IntegerField(),
                "offset": serializers.IntegerField(),
                "has_more": serializers.BooleanField(),
            },
        ),
    )
    def get(self, request):
        params = request.query_params
        filters = inbox.inbox_filters_from(params)
        limit = _int_param(params, "limit", default=25, high=100)
        offset = _int_param(params, "offset", default=0, low=0, high=1000)
        hits = inbox.message_search(
            request.user, filters, limit=limit + 1, offset=offset
        )
        return Response(
            {
                "results": [_hit(hit) for hit in hits[:limit]],
                "limit": limit,
                "offset": offset,
                "has_more": len(hits) > limit,
            }
        )


def _hit(hit: inbox.SearchHit) -> dict:
    message = hit.message
    return {
        "message_id": message.pk,
        "order_id": hit.order.pk,
        "order_number": hit.order.order_number,
        "thread_status": message.thread.status,
        "channel": message.channel,
        "direction": message.direction,
        "visibility": message.visibility,
        "author": MessageSerializer().get_author(message),
        "created_at": serializers.DateTimeField().to_representation(message.created_at),
        "rank": hit.rank,
        "snippet": hit.snippet,
    }


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
        limit = _int_param(params, "limit", default=50, high=200)
        before = _int_param(params, "before")
        messages = selectors.unmatched_messages(request.user).order_by("-id")
        if before:
            messages = messages.filter(pk__lt=before)
        rows = list(messages.select_related("delivery")[: limit + 1])
        context = _message_context(request.user)
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
        return Response(_render_message(request.user, order, message.pk))


class UnreadCountsApi(APIView):
    """Your unread messages: the total, and per conversation (newest first)."""

    permission_classes = [IsAuthenticated]
    LIMIT = 200

    @extend_schema_serializer(component_name="UnreadThread")
    class ThreadSerializer(serializers.Serializer):
        order_id = serializers.IntegerField()
        order_number = serializers.CharField()
        thread_id = serializers.IntegerField()
        unread = serializers.IntegerField()

    @extend_schema(
        responses=inline_serializer(
            "UnreadCounts",
            {
                "total": serializers.IntegerField(),
                "threads": ThreadSerializer(many=True),
                "truncated": serializers.BooleanField(
                    help_text=f"More than {LIMIT} conversations are unread."
                ),
            },
        )
    )
    def get(self, request):
        # `unread=True` keeps the threads whose newest message is unread (cheap);
        # counting happens for the listed ones, and over all only past LIMIT.
        threads = inbox.inbox_threads(request.user, inbox.InboxFilters(unread=True))
        rows = list(
            threads.values(
                "unread",
                "order_id",
                thread_id=F("pk"),
                order_number=F("order__order_number"),
            )[: self.LIMIT + 1]
        )
        truncated = len(rows) > self.LIMIT
        rows = [row for row in rows[: self.LIMIT] if row["unread"]]
        total = (
            inbox.unread_total(request.user, threads)
            if truncated
            else sum(row["unread"] for row in rows)
        )
        return Response(
            {
                "total": total,
                "threads": [
                    {
                        "order_id": row["order_id"],
                        "order_number": row["order_number"],
                        "thread_id": row["thread_id"],
                        "unread": row["unread"],
                    }
                    for row in rows
                ],
                "truncated": truncated,
            }
        )


class MessageMetricsApi(APIView):
    """Support metrics per store and per staff member over a date range (by
    default the last 30 days): first response time, response time, messages per
    order, channel mix, unread counts, resolution time. Staff and admins only."""

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
