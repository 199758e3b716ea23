from django.contrib import admin

from performile.models import AuditEvent, OutboxMessage, WebhookDelivery

admin.site.site_header = "Performile administration"
admin.site.site_title = "Performile"


class ReadOnlyModelAdmin(admin.ModelAdmin):
    """Rows that only the code writes (a log, a trail, immutable messages): shown,
    never added, changed or deleted here."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = ["provider", "delivery_id", "received_at"]
    list_filter = ["provider"]
    search_fields = ["delivery_id"]
    date_hierarchy = "received_at"

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ReadOnlyModelAdmin):
    """What went out (or did not) and why; read-only: the outbox writes these."""

    list_display = [
        "id",
        "channel",
        "recipient",
        "subject",
        "status",
        "attempts",
        "next_attempt_at",
        "sent_at",
        "order_id",
        "created_at",
    ]
    list_filter = ["status", "channel", "created_at"]
    search_fields = ["recipient", "subject", "provider_message_id", "last_error"]
    date_hierarchy = "created_at"
    ordering = ["-created_at"]
    readonly_fields = [field.name for field in OutboxMessage._meta.fields]


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyModelAdmin):
    """The audit trail: read-only, nothing is ever changed or removed."""

    list_display = [
        "created_at",
        "action",
        "actor",
        "actor_label",
        "object_type",
        "object_id",
        "order_id",
    ]
    list_filter = ["action", "created_at"]
    search_fields = ["action", "object_id", "actor__username", "actor_label"]
    date_hierarchy = "created_at"
    ordering = ["-created_at"]
    list_select_related = ["actor"]
    readonly_fields = [field.name for field in AuditEvent._meta.fields]
