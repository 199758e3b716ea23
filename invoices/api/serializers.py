"""Invoices, credit notes and payments as the API shows them."""

from django.urls import reverse
from rest_framework import serializers

from invoices.models import CreditNote, Invoice, Payment
from invoices.selectors import PaymentStatus

MONEY = {"max_digits": 14, "decimal_places": 2}


def invoice_pdf_url(pk: int) -> str:
    return reverse("invoices:pdf", args=[pk])


def credit_note_pdf_url(pk: int) -> str:
    return reverse("invoices:credit-note-pdf", args=[pk])


class InvoiceCustomerSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    customer_number = serializers.CharField()
    name = serializers.CharField()


class InvoiceOrderSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    order_number = serializers.CharField()


class InvoiceRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()


class InvoiceListSerializer(serializers.ModelSerializer):
    """An invoice with its balance (`visible_invoices` annotates it)."""

    payment_status = serializers.ChoiceField(
        choices=PaymentStatus.CHOICES, help_text="Derived as of now."
    )
    credited = serializers.DecimalField(**MONEY)
    paid = serializers.DecimalField(**MONEY)
    outstanding = serializers.DecimalField(
        **MONEY, help_text="total - credited - paid; negative when overpaid."
    )
    customer = InvoiceCustomerSerializer(allow_null=True)
    order = InvoiceOrderSerializer(allow_null=True)
    pdf_url = serializers.SerializerMethodField()

    class Meta:
        model = Invoice
        fields = [
            "id",
            "number",
            "state",
            "payment_status",
            "issue_date",
            "due_date",
            "currency",
            "subtotal",
            "tax_total",
            "total",
            "credited",
            "paid",
            "outstanding",
            "customer",
            "order",
            "pdf_url",
        ]

    def get_pdf_url(self, invoice) -> str:
        return invoice_pdf_url(invoice.pk)


class DocumentLineSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    position = serializers.IntegerField()
    sku = serializers.CharField()
    description = serializers.CharField()
    quantity = serializers.DecimalField(max_digits=12, decimal_places=3)
    unit_price = serializers.DecimalField(**MONEY, help_text="Net, before tax.")
    tax_rate = serializers.DecimalField(max_digits=5, decimal_places=2)
    net_amount = serializers.DecimalField(**MONEY)
    tax_amount = serializers.DecimalField(**MONEY)
    total = serializers.DecimalField(**MONEY)


class CreditNoteRefSerializer(serializers.ModelSerializer):
    pdf_url = serializers.SerializerMethodField()

    class Meta:
        model = CreditNote
        fields = ["id", "number", "total", "issue_date", "pdf_url"]

    def get_pdf_url(self, note) -> str:
        return credit_note_pdf_url(note.pk)


class InvoicePaymentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Payment
        fields = ["id", "amount", "currency", "method", "reference", "received_at"]


class InvoiceDetailSerializer(InvoiceListSerializer):
    lines = DocumentLineSerializer(many=True)
    credit_notes = CreditNoteRefSerializer(many=True)
    payments = InvoicePaymentSerializer(many=True)

    class Meta(InvoiceListSerializer.Meta):
        fields = [
            *InvoiceListSerializer.Meta.fields,
            "order_reference",
            "seller",
            "buyer",
            "notes",
            "payment_instructions",
            "issued_at",
            "voided_at",
            "void_reason",
            "lines",
            "credit_notes",
            "payments",
        ]


class PaymentSerializer(serializers.ModelSerializer):
    invoice = InvoiceRefSerializer(allow_null=True)
    customer = InvoiceCustomerSerializer(allow_null=True)
    order = InvoiceOrderSerializer(allow_null=True)

    class Meta:
        model = Payment
        fields = [
            "id",
            "amount",
            "currency",
            "method",
            "reference",
            "received_at",
            "recorded_at",
            "invoice",
            "customer",
            "order",
        ]
        extra_kwargs = {"amount": {"help_text": "Negative for a refund."}}


class CreditNoteListSerializer(serializers.ModelSerializer):
    invoice = InvoiceRefSerializer()
    customer = InvoiceCustomerSerializer(allow_null=True)
    pdf_url = serializers.SerializerMethodField()

    class Meta:
        model = CreditNote
        fields = [
            "id",
            "number",
            "invoice",
            "customer",
            "currency",
            "issue_date",
            "subtotal",
            "tax_total",
            "total",
            "reason",
            "pdf_url",
        ]

    def get_pdf_url(self, note) -> str:
        return credit_note_pdf_url(note.pk)


class CreditNoteLineSerializer(DocumentLineSerializer):
    invoice_line = serializers.IntegerField(
        source="invoice_line_id",
        allow_null=True,
        help_text="The invoice line it corrects; null for an amount credited.",
    )


class CreditNoteDetailSerializer(CreditNoteListSerializer):
    lines = CreditNoteLineSerializer(many=True)

    class Meta(CreditNoteListSerializer.Meta):
        fields = [
            *CreditNoteListSerializer.Meta.fields,
            "order_reference",
            "seller",
            "buyer",
            "issued_at",
            "lines",
        ]


# --- Input ------------------------------------------------------------------------


class InvoiceIssueInputSerializer(serializers.Serializer):
    notes = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="Printed on it."
    )


class PaymentInputSerializer(serializers.Serializer):
    amount = serializers.DecimalField(
        **MONEY, help_text="Negative for a refund; never 0."
    )
    currency = serializers.RegexField(
        r"^[A-Za-z]{3}$",
        required=False,
        help_text="ISO 4217; default (and must be) the invoice's.",
        error_messages={"invalid": "A three-letter currency code."},
    )
    method = serializers.ChoiceField(choices=Payment.Method.choices)
    reference = serializers.CharField(
        max_length=200, required=False, allow_blank=True, default=""
    )
    received_at = serializers.DateTimeField(required=False, help_text="Default: now.")


class CreditLineInputSerializer(serializers.Serializer):
    line = serializers.IntegerField(help_text="An invoice line's id.")
    quantity = serializers.DecimalField(
        max_digits=12,
        decimal_places=3,
        min_value=0,
        required=False,
        allow_null=True,
        help_text="Default: what is left of the line.",
    )


class CreditNoteInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300)
    lines = CreditLineInputSerializer(many=True, required=False, allow_empty=False)
    amount = serializers.DecimalField(
        **MONEY, required=False, help_text="Gross amount to credit (instead of lines)."
    )
    tax_rate = serializers.DecimalField(
        max_digits=5,
        decimal_places=2,
        min_value=0,
        max_value=100,
        required=False,
        help_text="With `amount`; default the invoice's first line's rate.",
    )
    description = serializers.CharField(
        max_length=300, required=False, allow_blank=True, default=""
    )

    def validate(self, data):
        if data.get("lines") and "amount" in data:
            raise serializers.ValidationError(
                {"amount": ["Credit lines or an amount, not both."]}
            )
        return data


class VoidInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300)


class AllocateInputSerializer(serializers.Serializer):
    invoice = serializers.IntegerField(help_text="The invoice the payment is for.")
