"""Admin of orders: edits go through orders.services (events, live, change feed);
what has no service is read-only."""

from django.contrib import admin, messages
from django.http import HttpResponseRedirect
from django.utils.html import format_html

from orders.models import (
    Order,
    OrderEvent,
    OrderLine,
)
from orders.services import (
    EDITABLE_FIELDS,
    order_assign,
    order_delete,
    order_restore,
    order_update,
)
from performile.errors import ApplicationError, NotAllowed


class OrderLineInline(admin.TabularInline):
    """Shown only: lines come with the order (the Orders view, the API, the shop)
    and no service changes them afterwards."""

    model = OrderLine
    fields = ["kind", "sku", "title", "quantity", "unit_price", "tax_rate"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class OrderEventInline(admin.TabularInline):
    model = OrderEvent
    fields = [
        "created_at",
        "kind",
        "from_status",
        "to_status",
        "note",
        "actor",
        "actor_label",
    ]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class DeletedFilter(admin.SimpleListFilter):
    title = "deleted"
    parameter_name = "deleted"

    def lookups(self, request, model_admin):
        return [("no", "Not deleted"), ("yes", "Deleted")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.exclude(deleted_at=None)
        if self.value() == "no":
            return queryset.filter(deleted_at=None)
        return queryset


# Who works on the order; changed through order_assign (an ASSIGNED event).
ASSIGNEES = ("assigned_staff", "supplier")


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    """Edits go through orders.services, as in the Orders view: the details through
    `order_update`, the assignees through `order_assign`, deleting and restoring
    through `order_delete`/`order_restore`. Each writes an event, so the change is on
    the timeline, on open pages and in the change feed (docs/live.md). Everything
    without a service (status, which moves through the state machine; the store,
    number, customer and lines; what the courier said) is shown only. Deleted
    orders are listed too (see the filter)."""

    list_display = [
        "order_number",
        "store",
        "status",
        "source",
        "customer",
        "amount",
        "currency",
        "tracking_number",
        "placed_at",
        "deleted_at",
    ]
    list_filter = [
        DeletedFilter,
        "status",
        "source",
        "store__merchant",
        "store",
        "tracking_status",
    ]
    search_fields = [
        "order_number",
        "tracking_number",
        "customer__name",
        "customer__email",
    ]
    date_hierarchy = "placed_at"
    list_select_related = ["store", "customer"]
    raw_id_fields = list(ASSIGNEES)
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "order_number",
                    "store",
                    "merchant",
                    "source",
                    "external_id",
                    "customer",
                    "status",
                    "placed_at",
                    "timeline_link",
                ],
                "description": "The status changes in the Orders view, through the"
                " state machine.",
            },
        ),
        ("Details", {"fields": list(EDITABLE_FIELDS)}),
        (
            "What the courier said",
            {
                "fields": [
                    "tracking_status",
                    "estimated_delivery",
                    "tracking_event",
                    "tracking_event_at",
                    "label_url",
                ],
                "description": "Recorded by the shipments app from the courier's news.",
            },
        ),
        ("Assigned", {"fields": list(ASSIGNEES)}),
        (
            "Record",
            {
                "fields": [
                    "created_at",
                    "created_by",
                    "updated_at",
                    "updated_by",
                    "external_updated_at",
                    "deleted_at",
                    "deleted_by",
                ]
            },
        ),
    ]
    # Editable: what a service changes. Everything else is shown only.
    readonly_fields = [
        *(
            field.name
            for field in Order._meta.fields
            if field.name not in (*EDITABLE_FIELDS, *ASSIGNEES)
        ),
        "timeline_link",
    ]
    inlines = [OrderLineInline, OrderEventInline]
    actions = ["delete_orders", "restore_orders"]

    def save_model(self, request, obj, form, change):
        """The changed fields, through their services (`obj` holds the form's
        values; the services compare them with the row and write the events)."""
        changed = {name: form.cleaned_data[name] for name in form.changed_data}
        details = {n: v for n, v in changed.items() if n in EDITABLE_FIELDS}
        assignees = {n: v for n, v in changed.items() if n in ASSIGNEES}
        if details:
            order_update(order=obj, actor=request.user, **details)
        if assignees:
            order_assign(order=obj, actor=request.user, **assignees)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        """A change a service refuses (not this user's order, an assignee who is
        not the merchant's) is rolled back and said, not a server error."""
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ApplicationError as error:
            self.message_user(request, error.message, messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    @admin.action(description="Delete selected orders (softly)", permissions=["change"])
    def delete_orders(self, request, queryset):
        self._apply(request, queryset.filter(deleted_at=None), order_delete, "Deleted")

    @admin.action(description="Restore deleted orders", permissions=["change"])
    def restore_orders(self, request, queryset):
        self._apply(
            request, queryset.exclude(deleted_at=None), order_restore, "Restored"
        )

    def _apply(self, request, orders, service, done):
        applied = refused = 0
        for order in orders:
            try:
                service(order=order, actor=request.user)
            except NotAllowed:
                refused += 1
            else:
                applied += 1
        self.message_user(request, f"{done} {applied} order(s).", messages.SUCCESS)
        if refused:
            self.message_user(
                request,
                f"{refused} order(s) not {done.lower()}: only their merchant's"
                " staff can.",
                messages.WARNING,
            )

    @admin.display(description="Orders view")
    def timeline_link(self, order):
        return (
            format_html(
                '<a href="{}">Open in the Orders view</a>', order.get_absolute_url()
            )
            if order.pk
            else ""
        )

    def has_add_permission(self, request):
        # New orders get a number check, an event and a domain event: use the
        # Orders view or the API, which go through orders.services.
        return False

    def has_delete_permission(self, request, obj=None):
        # A deleted order stays for the audit trail and leaves open pages through
        # the change feed: the "Delete selected orders" action (order_delete).
        return False


@admin.register(OrderEvent)
class OrderEventAdmin(admin.ModelAdmin):
    list_display = [
        "order",
        "kind",
        "from_status",
        "to_status",
        "actor",
        "actor_label",
        "created_at",
    ]
    list_filter = ["kind", "to_status"]
    search_fields = ["order__order_number", "note", "actor_label"]
    raw_id_fields = ["order", "actor"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False
