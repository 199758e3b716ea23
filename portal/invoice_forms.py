"""The portal's billing forms: the invoice filters, a statement period, an export.

Dates are the merchant's calendar days (the caller passes the merchant's today).
"""

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from invoices.exports import KIND_CHOICES
from invoices.selectors import PaymentStatus

DATE = forms.DateInput(attrs={"type": "date"})
STATUSES = [
    ("", _("Any status")),
    (PaymentStatus.PENDING, _("Pending")),
    (PaymentStatus.OVERDUE, _("Overdue")),
    (PaymentStatus.PAID, _("Paid")),
]
STATEMENT_MONTHS = 24


def last_full_month(today: dt.date) -> tuple[dt.date, dt.date]:
    end = today.replace(day=1) - dt.timedelta(days=1)
    return end.replace(day=1), end


def months_back(day: dt.date, months: int) -> dt.date:
    """`day` moved `months` back; a day the month lacks becomes the next month's 1st
    (29 February 2028 less 24 months: 1 March 2026)."""
    total = day.year * 12 + day.month - 1 - months
    year, month = divmod(total, 12)
    try:
        return day.replace(year=year, month=month + 1)
    except ValueError:
        year, month = divmod(total + 1, 12)
        return dt.date(year, month + 1, 1)


class _Period(forms.Form):
    """A start and an end date, the start not after the end."""

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and start > end:
            self.add_error("start", _("The period starts after it ends."))
        return data


class InvoiceFilterForm(_Period):
    status = forms.ChoiceField(label=_("Status"), choices=STATUSES, required=False)
    start = forms.DateField(label=_("Issued from"), required=False, widget=DATE)
    end = forms.DateField(label=_("Issued to"), required=False, widget=DATE)

    def apply(self, invoices):
        data = self.cleaned_data
        if data.get("status"):
            invoices = invoices.filter(payment_status=data["status"])
        if data.get("start"):
            invoices = invoices.filter(issue_date__gte=data["start"])
        if data.get("end"):
            invoices = invoices.filter(issue_date__lte=data["end"])
        return invoices


class StatementForm(_Period):
    currency = forms.ChoiceField(label=_("Currency"))
    start = forms.DateField(label=_("From"), widget=DATE)
    end = forms.DateField(label=_("To"), widget=DATE)

    def __init__(self, *args, currencies: list[str], today: dt.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        self.fields["currency"].choices = [(code, code) for code in currencies]
        if len(currencies) == 1:
            self.fields["currency"].widget = forms.HiddenInput()
        self.fields["currency"].initial = currencies[0] if currencies else ""
        start, end = last_full_month(today)
        self.fields["start"].initial = start
        self.fields["end"].initial = end

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if end and end > self.today:
            self.add_error("end", _("The period cannot end in the future."))
        elif start and end and start <= end:
            limit = months_back(end + dt.timedelta(days=1), STATEMENT_MONTHS)
            if start < limit:
                self.add_error(
                    "start",
                    _(
                        "A statement covers at most %(months)s months: start on"
                        " %(date)s or later."
                    )
                    % {"months": STATEMENT_MONTHS, "date": f"{limit:%Y-%m-%d}"},
                )
        return data


class ExportForm(_Period):
    kind = forms.ChoiceField(
        label=_("Export"),
        choices=KIND_CHOICES,
        initial="invoices",
    )
    start = forms.DateField(label=_("From"), widget=DATE)
    end = forms.DateField(label=_("To"), widget=DATE)

    def __init__(self, *args, today: dt.date, **kwargs):
        super().__init__(*args, **kwargs)
        start, end = last_full_month(today)
        self.fields["start"].initial = start
        self.fields["end"].initial = end
