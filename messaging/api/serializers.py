"""A message, and a thread's state, as the caller sees them."""

from django.urls import NoReverseMatch, reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from messaging import inbox, selectors
from messaging.models import REDACTED, Message, Thread
from orders.selectors import user_is_merchant_member


class AuthorSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=["user", "customer", "system"])
    name = serializers.CharField()


class AttachmentSerializer(serializers.Serializer):
    filename = serializers.CharField()
    size = serializers.IntegerField()
    content_type = serializers.CharField()
    url = serializers.CharField(
        allow_null=True,
        help_text="The download: the team's view for merchant members, the"
        " portal's for the order's customer.",
    )


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
    subject = serializers.CharField(source="shown_subject")
    body = serializers.CharField(
        source="shown_body",
        help_text='The text; "[removed at the customer\'s request]" once redacted.',
    )
    redacted = serializers.BooleanField(
        source="is_redacted",
        help_text="Withdrawn at the customer's request: text, sender and"
        " attachments are gone.",
    )
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
                "url": _attachment_url(attachment.pk, self.context.get("member")),
            }
            for attachment in message.shown_attachments
        ]

    @extend_schema_field(DeliverySerializer(allow_null=True))
    def get_delivery(self, message) -> dict | None:
        delivery = message.delivery
        if message.direction != Message.Direction.OUTBOUND or delivery is None:
            return None
        shown = {"status": delivery.status, "channel": delivery.channel}
        if self.context.get("member"):
            shown["recipient"] = REDACTED if message.is_redacted else delivery.recipient
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


def _attachment_url(pk: int, member: bool) -> str | None:
    name = "messaging:attachment" if member else "portal:messages_attachment"
    try:
        return reverse(name, args=[pk])
    except NoReverseMatch:
        return None


def thread_info(thread: Thread | None, unread: int) -> dict:
    if thread is None:
        return {"status": Thread.Status.OPEN, "unread": 0, "closed_at": None}
    return {"status": thread.status, "unread": unread, "closed_at": thread.closed_at}


def message_context(user, read_up_to: int = 0) -> dict:
    return {
        "user": user,
        "read_up_to": read_up_to,
        "member": user_is_merchant_member(user),
    }


def render_message(user, order, message_id: int) -> dict:
    message = selectors.message_get_for_user(user, order, message_id)
    context = message_context(user, message.pk)
    return MessageSerializer(message, context=context).data
