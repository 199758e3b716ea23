from django.contrib import admin

from performile.models import WebhookDelivery

admin.site.site_header = "Performile administration"
admin.site.site_title = "Performile"


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = ["provider", "delivery_id", "received_at"]
    list_filter = ["provider"]
    search_fields = ["delivery_id"]
    date_hierarchy = "received_at"

    def has_change_permission(self, request, obj=None):
        return False
