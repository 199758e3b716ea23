from django.conf import settings
from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from performile.admin import ReadOnlyModelAdmin
from shipments.models import (
    BulkBooking,
    Claim,
    ClaimPhoto,
    CourierAccount,
    PendingTrackingUpdate,
    Shipment,
    TrackingEvent,
    UnconfirmedBooking,
)


@admin.register(CourierAccount)
class CourierAccountAdmin(admin.ModelAdmin):
    list_display = ["name", "courier", "merchant", "base_url", "enabled"]
    list_filter = ["courier", "enabled", "merchant"]
    search_fields = ["name", "courier", "merchant__name", "customer_number"]
    readonly_fields = ["webhook_url"]

    @admin.display(description="Tracking webhook URL")
    def webhook_url(self, account):
        if not account.pk:
            return "Shown once the account is saved."
        path = reverse("webhook-courier", args=[account.courier, account.webhook_key])
        return format_html(
            "<code>{}</code>", settings.PUBLIC_BASE_URL.rstrip("/") + path
        )


class TrackingEventInline(admin.TabularInline):
    model = TrackingEvent
    fields = ["occurred_at", "status", "raw_code", "description", "location", "source"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Shipment)
class ShipmentAdmin(ReadOnlyModelAdmin):
    """Shown only: shipments are booked and updated through the services (each
    with a note or tracking on the order's timeline)."""

    list_display = [
        "tracking_number",
        "account",
        "order",
        "kind",
        "status",
        "estimated_delivery",
        "stuck",
        "created_at",
    ]
    list_filter = ["kind", "status", "stuck", "account__courier", "merchant"]
    search_fields = ["tracking_number", "order__order_number"]
    list_select_related = ["account", "order"]
    inlines = [TrackingEventInline]


@admin.register(TrackingEvent)
class TrackingEventAdmin(admin.ModelAdmin):
    list_display = ["shipment", "status", "raw_code", "occurred_at", "source"]
    list_filter = ["status", "source"]
    search_fields = ["shipment__tracking_number", "raw_code", "description"]
    raw_id_fields = ["shipment"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


class ClaimPhotoInline(admin.TabularInline):
    model = ClaimPhoto
    fields = ["image", "uploaded_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Claim)
class ClaimAdmin(ReadOnlyModelAdmin):
    """Shown only: claims are filed and move through shipments.claims, each with a
    note on the order's timeline."""

    list_display = [
        "__str__",
        "shipment",
        "reason",
        "amount",
        "currency",
        "status",
        "created_at",
    ]
    list_filter = ["status", "reason"]
    search_fields = [
        "shipment__tracking_number",
        "shipment__order__order_number",
        "description",
    ]
    inlines = [ClaimPhotoInline]


@admin.register(BulkBooking)
class BulkBookingAdmin(ReadOnlyModelAdmin):
    """Shown only: bulk bookings are started from the Orders view and run by the
    workers (shipments.bulk)."""

    list_display = [
        "__str__",
        "merchant",
        "account",
        "status",
        "booked",
        "failed",
        "created_at",
    ]
    list_filter = ["status", "merchant"]


@admin.register(PendingTrackingUpdate)
class PendingTrackingUpdateAdmin(admin.ModelAdmin):
    """Courier news of numbers no order has yet (shipments.tracking): applied when
    one does, purged after 30 days."""

    list_display = ["tracking_number", "account", "received_at"]
    search_fields = ["tracking_number"]
    readonly_fields = ["account", "tracking_number", "update", "received_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(UnconfirmedBooking)
class UnconfirmedBookingAdmin(admin.ModelAdmin):
    """Bookings a courier did not answer, and what their reconciliation found
    (shipments.reconcile). "Needs a person" ones also have a note on the order."""

    list_display = ["order", "account", "outcome", "checks", "created_at"]
    list_filter = ["outcome"]
    search_fields = ["order__order_number", "idempotency_key"]
    raw_id_fields = ["order", "account", "actor"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
