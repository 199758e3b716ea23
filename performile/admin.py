import contextlib
import json

from django.apps import apps
from django.contrib import admin, messages
from django.utils.html import format_html

from performile import inbound
from performile.models import AuditEvent, InboundDelivery, OutboxMessage

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


class StoreFilter(admin.SimpleListFilter):
    """The delivery's store, by name (a weak reference: performile sits below
    orders, so the model is looked up, not imported)."""

    title = "store"
    parameter_name = "store"

    def lookups(self, request, model_admin):
        Store = apps.get_model("orders", "Store")
        ids = InboundDelivery.objects.exclude(store_id=None).values("store_id")
        return [
            (store.pk, str(store))
            for store in Store.objects.filter(pk__in=ids).select_related("merchant")
        ]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(store_id=self.value())
        return queryset


@admin.register(InboundDelivery)
class InboundDeliveryAdmin(ReadOnlyModelAdmin):
    """What providers sent, what became of it, and Retry (docs/inbound.md)."""

    list_display = [
        "id",
        "received_at",
        "provider",
        "store_id",
        "entity",
        "status",
        "attempts",
        "short_error",
        "finished_at",
    ]
    list_filter = ["status", "provider", StoreFilter, "received_at"]
    search_fields = ["delivery_id", "entity", "error"]
    date_hierarchy = "received_at"
    ordering = ["-id"]
    actions = ["retry"]
    show_full_result_count = False
    fields = [
        "provider",
        "delivery_id",
        "entity",
        "store_id",
        "merchant_id",
        "status",
        "attempts",
        "received_at",
        "available_at",
        "finished_at",
        "error",
        "result",
        "headers",
        "payload",
    ]
    readonly_fields = fields

    @admin.display(description="error")
    def short_error(self, delivery):
        return delivery.error[:80]

    @admin.display(description="payload")
    def payload(self, delivery):
        text = bytes(delivery.body).decode("utf-8", "replace")
        with contextlib.suppress(ValueError):
            text = json.dumps(json.loads(text), indent=2, ensure_ascii=False)
        return format_html('<pre style="white-space: pre-wrap">{}</pre>', text)

    @admin.action(description="Retry: apply the selected deliveries again")
    def retry(self, request, queryset):
        count = inbound.replay(queryset)
        self.message_user(
            request,
            f"{count} deliveries queued again; the appliers apply them now.",
            messages.SUCCESS,
        )

    def has_change_permission(self, request, obj=None):
        # Needed for the Retry action; the fields themselves stay read-only.
        return request.user.is_superuser


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
