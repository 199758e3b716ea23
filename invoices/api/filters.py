"""The list filters of the invoices API (on querysets from `invoices.selectors`)."""

import django_filters
from django.db.models import DateField, DateTimeField, F, Func, Q
from django.db.models.functions import Cast

from invoices import filters
from invoices.models import CreditNote, Payment
from invoices.selectors import PaymentStatus


class InvoiceFilter(filters.InvoiceFilter):
    """The Invoices page's filters and search, with the API's own: several
    statuses at once, a customer by id or by number, `overdue=false` for all but
    the overdue ones."""

    status = django_filters.MultipleChoiceFilter(
        field_name="payment_status",
        choices=PaymentStatus.CHOICES,
        help_text="paid, pending, overdue or void; repeat for several.",
    )
    customer = django_filters.NumberFilter(field_name="customer_id")
    customer_number = django_filters.CharFilter(
        field_name="customer__customer_number", lookup_expr="iexact"
    )
    overdue = django_filters.BooleanFilter(
        method="filter_overdue", help_text="true: overdue only; false: all others."
    )
    # The page's search; declared again only for the schema's text (a help text on
    # the page's field would add an aria-describedby the page has no element for).
    q = django_filters.CharFilter(
        method="search",
        help_text="Part of the invoice number, the order reference, or the"
        " customer's name or e-mail; or a whole customer number.",
    )

    def limit_choices(self, customers) -> None:
        """Nothing to limit: `customer` is an id, applied to the invoices the
        caller sees."""

    def filter_overdue(self, queryset, name, value):
        overdue = Q(payment_status=PaymentStatus.OVERDUE)
        return queryset.filter(overdue) if value else queryset.exclude(overdue)


class PaymentFilter(django_filters.FilterSet):
    invoice = django_filters.NumberFilter(field_name="invoice_id")
    customer = django_filters.NumberFilter(field_name="customer_id")
    received_from = django_filters.DateFilter(
        method="filter_received_from", help_text="On the merchant's calendar."
    )
    received_to = django_filters.DateFilter(
        method="filter_received_to", help_text="On the merchant's calendar."
    )
    unallocated = django_filters.BooleanFilter(
        field_name="invoice", lookup_expr="isnull", help_text="true: on no invoice."
    )

    class Meta:
        model = Payment
        fields = []

    def filter_received_from(self, queryset, name, value):
        return _with_received_on(queryset).filter(received_on__gte=value)

    def filter_received_to(self, queryset, name, value):
        return _with_received_on(queryset).filter(received_on__lte=value)


def _with_received_on(queryset):
    if "received_on" in queryset.query.annotations:
        return queryset
    local = Func(
        F("merchant__timezone"),
        F("received_at"),
        function="timezone",
        output_field=DateTimeField(),
    )
    return queryset.annotate(received_on=Cast(local, DateField()))


class CreditNoteFilter(django_filters.FilterSet):
    invoice = django_filters.NumberFilter(field_name="invoice_id")
    customer = django_filters.NumberFilter(field_name="customer_id")

    class Meta:
        model = CreditNote
        fields = []
