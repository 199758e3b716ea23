"""Billing in the admin. Billing profiles are edited here; issued documents,
payments and statements are shown only (the database refuses changes to them;
corrections are credit notes, made from the invoice's page)."""

from django.contrib import admin
from django.urls import NoReverseMatch, reverse

from invoices.models import (
    BillingProfile,
    CreditNote,
    CreditNoteLine,
    Invoice,
    InvoiceLine,
    Payment,
    Statement,
)
from performile.admin import ReadOnlyModelAdmin

LINE_FIELDS = [
    "position",
    "sku",
    "description",
    "quantity",
    "unit_price",
    "tax_rate",
    "net_amount",
    "tax_amount",
    "total",
]


@admin.register(BillingProfile)
class BillingProfileAdmin(admin.ModelAdmin):
    list_display = ["merchant", "legal_name", "invoice_prefix", "payment_terms_days"]
    search_fields = ["merchant__name", "legal_name", "vat_number"]
    readonly_fields = ["stripe_webhook_url"]
    raw_id_fields = ["merchant"]
    fieldsets = [
        (
            None,
            {"fields": ["merchant", "legal_name", "address", "vat_number", "email"]},
        ),
        (
            "Numbering and terms",
            {
                "fields": [
                    "invoice_prefix",
                    "credit_note_prefix",
                    "number_digits",
                    "payment_terms_days",
                    "default_tax_rate",
                    "prices_include_tax",
                    "payment_instructions",
                ]
            },
        ),
        ("Stripe", {"fields": ["stripe_webhook_url", "stripe_webhook_secret"]}),
    ]

    @admin.display(description="Stripe webhook URL")
    def stripe_webhook_url(self, obj) -> str:
        if obj is None or obj.pk is None:
            return "Shown once the profile is saved."
        try:
            return reverse("stripe", kwargs={"key": obj.stripe_webhook_key})
        except NoReverseMatch:
            return f"/webhooks/stripe/{obj.stripe_webhook_key}"


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    fields = LINE_FIELDS
    readonly_fields = LINE_FIELDS

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class InvoiceLineInline(ReadOnlyInline):
    model = InvoiceLine


class CreditNoteLineInline(ReadOnlyInline):
    model = CreditNoteLine


@admin.register(Invoice)
class InvoiceAdmin(ReadOnlyModelAdmin):
    list_display = [
        "number",
        "merchant",
        "customer",
        "issue_date",
        "due_date",
        "total",
        "currency",
        "state",
    ]
    list_filter = ["state", "currency", "issue_date", "merchant"]
    search_fields = [
        "number",
        "order_reference",
        "customer__name",
        "customer__email",
        "customer__customer_number",
    ]
    date_hierarchy = "issue_date"
    list_select_related = ["merchant", "customer"]
    raw_id_fields = ["merchant", "store", "customer", "order", "issued_by", "voided_by"]
    inlines = [InvoiceLineInline]


@admin.register(CreditNote)
class CreditNoteAdmin(ReadOnlyModelAdmin):
    list_display = ["number", "invoice", "customer", "issue_date", "total", "currency"]
    list_filter = ["currency", "issue_date", "merchant"]
    search_fields = ["number", "invoice__number", "reason", "customer__name"]
    date_hierarchy = "issue_date"
    list_select_related = ["invoice", "customer"]
    raw_id_fields = ["merchant", "store", "customer", "invoice", "issued_by"]
    inlines = [CreditNoteLineInline]


@admin.register(Payment)
class PaymentAdmin(ReadOnlyModelAdmin):
    list_display = [
        "received_at",
        "merchant",
        "customer",
        "invoice",
        "amount",
        "currency",
        "method",
        "reference",
    ]
    list_filter = ["method", "currency", "merchant"]
    search_fields = ["reference", "provider_id", "invoice__number", "customer__name"]
    date_hierarchy = "received_at"
    list_select_related = ["merchant", "customer", "invoice"]
    raw_id_fields = ["merchant", "customer", "order", "invoice", "recorded_by"]


@admin.register(Statement)
class StatementAdmin(ReadOnlyModelAdmin):
    list_display = [
        "customer",
        "currency",
        "period_start",
        "period_end",
        "opening_balance",
        "closing_balance",
        "monthly",
        "generated_at",
    ]
    list_filter = ["monthly", "currency", "merchant"]
    search_fields = ["customer__name", "customer__customer_number"]
    date_hierarchy = "period_end"
    list_select_related = ["customer"]
    raw_id_fields = ["merchant", "customer", "generated_by"]
