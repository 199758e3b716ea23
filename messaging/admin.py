"""Messages in the admin: read-only. Messages are immutable (a database trigger
refuses UPDATE and DELETE); threads are closed and reopened from the app;
satisfaction surveys are answered by the customer only.
Notification preferences are saved through their service (audited)."""

from django.contrib import admin

from messaging.models import (
    REDACTED,
    Attachment,
    Message,
    NotificationPreference,
    ReadReceipt,
    SatisfactionSurvey,
    Thread,
)
from messaging.services.preferences import (
    PREFERENCE_FIELDS,
    notification_preferences_update,
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


# A redacted message's own words and addresses (docs/privacy.md): the admin shows
# the redaction instead, as every other display does.
WITHDRAWN = ["sender", "recipient", "subject", "body", "headers"]


@admin.register(Message)
class MessageAdmin(ReadOnlyModelAdmin):
    list_display = [
        "id",
        "created_at",
        "channel",
        "direction",
        "visibility",
        "shown_sender",
        "shown_subject",
        "thread",
    ]
    list_filter = ["channel", "direction", "visibility", "created_at"]
    search_fields = ["sender", "subject", "provider_message_id"]
    date_hierarchy = "created_at"
    list_select_related = ["thread__order", "redaction"]
    raw_id_fields = ["thread", "author_user", "author_customer", "delivery"]
    exclude = ["search"]
    inlines = [AttachmentInline]

    @admin.display(description="sender")
    def shown_sender(self, message):
        return message.shown_sender

    @admin.display(description="subject")
    def shown_subject(self, message):
        return message.shown_subject

    @admin.display(description="redacted")
    def redaction_note(self, message):
        redaction = message.redaction
        return f"{REDACTED} ({redaction.reason}, {redaction.redacted_at:%Y-%m-%d})"

    def get_exclude(self, request, obj=None):
        if obj is not None and obj.is_redacted:
            return [*self.exclude, *WITHDRAWN]
        return self.exclude

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.is_redacted:
            return ["redaction_note"]
        return super().get_readonly_fields(request, obj)

    def get_search_results(self, request, queryset, search_term):
        """A redacted message is not found by its withdrawn sender or subject."""
        found, duplicates = super().get_search_results(request, queryset, search_term)
        if search_term:
            found = found.filter(redaction=None)
        return found, duplicates


@admin.register(Thread)
class ThreadAdmin(ReadOnlyModelAdmin):
    list_display = ["order", "store", "status", "last_message_at", "closed_at"]
    list_filter = ["status", "store"]
    search_fields = ["order__order_number", "token"]
    list_select_related = ["order", "store"]
    raw_id_fields = ["order", "closed_by"]


@admin.register(SatisfactionSurvey)
class SatisfactionSurveyAdmin(ReadOnlyModelAdmin):
    list_display = [
        "order",
        "store",
        "trigger",
        "status",
        "sent_at",
        "rating",
        "answered_via",
        "dropped_reason",
    ]
    list_filter = ["status", "trigger", "rating", "store"]
    search_fields = ["order__order_number"]
    list_select_related = ["order", "store"]
    raw_id_fields = ["order", "customer"]
    exclude = ["nonce"]  # part of the link: whoever reads it could rate


@admin.register(ReadReceipt)
class ReadReceiptAdmin(ReadOnlyModelAdmin):
    list_display = ["message", "user", "read_at"]
    raw_id_fields = ["message", "user"]


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    """How each customer wants to hear of their orders (editable: the customer's
    own choice, which the portal lets them make). Saved through
    `notification_preferences_update`, so each change is audited."""

    list_display = ["customer", "email", "sms", "whatsapp"]
    list_filter = ["email", "sms", "whatsapp"]
    search_fields = ["customer__name", "customer__email", "customer__customer_number"]
    raw_id_fields = ["customer"]
    fields = ["customer", *PREFERENCE_FIELDS]

    def get_readonly_fields(self, request, obj=None):
        return ["customer"] if obj is not None else []

    def save_model(self, request, obj, form, change):
        saved = notification_preferences_update(
            customer=obj.customer,
            actor=request.user,
            **{name: form.cleaned_data[name] for name in PREFERENCE_FIELDS},
        )
        obj.pk = saved.pk
