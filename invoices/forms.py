"""The staff pages' forms: parse and check the input; the services judge it."""

import datetime as dt
from decimal import Decimal

from django import forms
from django.utils import timezone

from invoices.exports import KIND_CHOICES
from invoices.models import Invoice, Payment
from invoices.services.common import merchant_today

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MONEY = {"max_digits": 14, "decimal_places": 2}


class PaymentForm(forms.Form):
    amount = forms.DecimalField(
        label="Amount",
        **MONEY,
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
        help_text="Negative for a refund.",
    )
    method = forms.ChoiceField(
        label="Method",
        choices=Payment.Method.choices,
        initial=Payment.Method.BANK_TRANSFER,
    )
    received_on = forms.DateField(label="Received on", widget=DATE)
    reference = forms.CharField(label="Reference", max_length=200, required=False)

    def __init__(self, *args, invoice: Invoice, **kwargs):
        super().__init__(*args, **kwargs)
        self.invoice = invoice
        self.fields["amount"].initial = max(invoice.outstanding, Decimal("0.00"))
        self.fields["received_on"].initial = merchant_today(invoice.merchant)

    def clean_received_on(self):
        day = self.cleaned_data["received_on"]
        if day > merchant_today(self.invoice.merchant):
            raise forms.ValidationError("Cannot be in the future.")
        return day

    def received_at(self) -> dt.datetime:
        """Now when received today; otherwise noon of that day, the merchant's."""
        day = self.cleaned_data["received_on"]
        if day == merchant_today(self.invoice.merchant):
            return timezone.now()
        zone = self.invoice.merchant.zone
        return dt.datetime.combine(day, dt.time(12), tzinfo=zone)


class CreditNoteForm(forms.Form):
    """The whole invoice, some of its lines (a quantity per line), or an amount."""

    WHOLE, LINES, AMOUNT = "whole", "lines", "amount"

    mode = forms.ChoiceField(
        label="Credit",
        choices=[
            (WHOLE, "Everything not credited yet"),
            (LINES, "Some lines"),
            (AMOUNT, "An amount"),
        ],
        initial=WHOLE,
        widget=forms.RadioSelect,
    )
    amount = forms.DecimalField(
        label="Amount (incl. tax)",
        required=False,
        **MONEY,
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
    )
    description = forms.CharField(label="Description", max_length=300, required=False)
    reason = forms.CharField(
        label="Reason",
        max_length=300,
        help_text="Printed on the credit note.",
    )

    def __init__(self, *args, invoice: Invoice, **kwargs):
        super().__init__(*args, **kwargs)
        self.invoice = invoice
        self.invoice_lines = list(invoice.lines.all())
        for line in self.invoice_lines:
            self.fields[self.line_field(line)] = forms.DecimalField(
                label=f"{line.description} (of {line.quantity.normalize()})",
                required=False,
                min_value=0,
                max_digits=12,
                decimal_places=3,
                widget=forms.NumberInput(attrs={"step": "any", "min": "0"}),
            )

    @staticmethod
    def line_field(line) -> str:
        return f"line_{line.pk}"

    def line_fields(self):
        return [self[self.line_field(line)] for line in self.invoice_lines]

    def clean(self):
        data = super().clean()
        mode = data.get("mode")
        if mode == self.AMOUNT and data.get("amount") is None:
            self.add_error("amount", "Required when crediting an amount.")
        if mode == self.LINES and not self.credited_lines():
            self.add_error(None, "Enter a quantity for at least one line.")
        return data

    def credited_lines(self) -> list[dict]:
        return [
            {"line": line.pk, "quantity": quantity}
            for line in self.invoice_lines
            if (quantity := self.cleaned_data.get(self.line_field(line)))
        ]

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        arguments = {"reason": data["reason"]}
        if data["mode"] == self.LINES:
            arguments["lines"] = self.credited_lines()
        elif data["mode"] == self.AMOUNT:
            arguments["amount"] = data["amount"]
            arguments["description"] = data.get("description", "")
        return arguments


class VoidForm(forms.Form):
    reason = forms.CharField(label="Reason", max_length=300)


class StatementForm(forms.Form):
    customer = forms.ModelChoiceField(label="Customer", queryset=None)
    currency = forms.CharField(label="Currency", min_length=3, max_length=3)
    start = forms.DateField(label="Period start", widget=DATE)
    end = forms.DateField(label="Period end", widget=DATE)

    def __init__(self, *args, customers, currency: str = "EUR", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["customer"].queryset = customers.order_by("name", "customer_number")
        self.fields["currency"].initial = currency
        start, end = last_month(timezone.localdate())
        self.fields["start"].initial = start
        self.fields["end"].initial = end

    def clean_currency(self):
        return self.cleaned_data["currency"].upper()

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            self.add_error("end", "Before the period start.")
        return data


class ExportForm(forms.Form):
    kind = forms.ChoiceField(
        label="Export",
        choices=KIND_CHOICES,
        initial="invoices",
    )
    start = forms.DateField(label="From", widget=DATE)
    end = forms.DateField(label="To", widget=DATE)
    customer = forms.ModelChoiceField(
        label="Customer", queryset=None, required=False, empty_label="Every customer"
    )

    def __init__(self, *args, customers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["customer"].queryset = customers.order_by("name", "customer_number")
        start, end = last_month(timezone.localdate())
        self.fields["start"].initial = start
        self.fields["end"].initial = end

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            self.add_error("end", "Before the start.")
        return data


def last_month(today: dt.date) -> tuple[dt.date, dt.date]:
    end = today.replace(day=1) - dt.timedelta(days=1)
    return end.replace(day=1), end
