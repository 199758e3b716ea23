"""Messages in the admin: read-only. Messages are immutable (a database trigger
refuses UPDATE and DELETE); threads are closed and reopened from the app."""

from django.contrib import admin

from messaging.models import (
    Attachment,
    Message,
    NotificationPreference,
    ReadReceipt,
    Thread,
)
from performile.admin import ReadOnlyModelAdmin


class AttachmentInline(admin.TabularInline):
    model = Attachment
    fields = ["filename", "content_type", "size", "file"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Message)
class MessageAdmin(ReadOnlyModelAdmin):
    list_display = [
        "id",
        "created_at",
        "channel",
        "direction",
        "visibility",
        "sender",
        "subject",
        "thread",
    ]
    list_filter = ["channel", "direction", "visibility", "created_at"]
    search_fields = ["sender", "subject", "provider_message_id"]
    date_hierarchy = "created_at"
    list_select_related = ["thread__order"]
    raw_id_fields = ["thread", "author_user", "author_customer", "delivery"]
    exclude = ["search"]
    inlines = [AttachmentInline]


@admin.register(Thread)
class ThreadAdmin(ReadOnlyModelAdmin):
    list_display = ["order", "store", "status", "last_message_at", "closed_at"]
    list_filter = ["status", "store"]
    search_fields = ["order__order_number", "token"]
    list_select_related = ["order", "store"]
    raw_id_fields = ["order", "closed_by"]


@admin.register(ReadReceipt)
class ReadReceiptAdmin(ReadOnlyModelAdmin):
    list_display = ["message", "user", "read_at"]
    raw_id_fields = ["message", "user"]


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    """How each customer wants to hear of their orders (editable: the customer's
    own choice, which the portal will let them make)."""

    list_display = ["customer", "email", "sms", "whatsapp"]
    list_filter = ["email", "sms", "whatsapp"]
    search_fields = ["customer__name", "customer__email", "customer__customer_number"]
    raw_id_fields = ["customer"]
