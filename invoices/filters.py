"""The invoice list's filters (django-filter), applied to `visible_invoices`: the
Invoices page's, which the API's (invoices.api.filters) extend."""

from functools import reduce
from operator import or_

import django_filters
from django import forms
from django.db.models import Q, QuerySet, Sum

from invoices.models import Invoice
from invoices.selectors import PaymentStatus
from orders.models import Customer

DATE = forms.DateInput(attrs={"type": "date"})

# What `q` searches, on the page and in the API (docs/decisions.md): the invoice
# number, the order reference and the customer's name or e-mail in part, the
# customer number whole.
SEARCH_LOOKUPS = (
    "number__icontains",
    "order_reference__icontains",
    "customer__name__icontains",
    "customer__email__icontains",
    "customer__customer_number__iexact",
)


class InvoiceFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        method="search",
        label="Search",
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": "Number, customer or order"}
        ),
    )
    status = django_filters.ChoiceFilter(
        field_name="payment_status",
        choices=PaymentStatus.CHOICES,
        empty_label="Any status",
        label="Status",
    )
    customer = django_filters.ModelChoiceFilter(
        queryset=Customer.objects.none(), empty_label="Every customer"
    )
    issued_from = django_filters.DateFilter(
        field_name="issue_date", lookup_expr="gte", label="From", widget=DATE
    )
    issued_to = django_filters.DateFilter(
        field_name="issue_date", lookup_expr="lte", label="To", widget=DATE
    )
    overdue = django_filters.BooleanFilter(
        method="only_overdue", label="Overdue only", widget=forms.CheckboxInput
    )

    class Meta:
        model = Invoice
        fields = []

    def __init__(self, data=None, queryset=None, *, customers=None, **kwargs):
        super().__init__(data, queryset, **kwargs)
        self.limit_choices(customers)

    def limit_choices(self, customers) -> None:
        """The page's customer menu: only the customers of invoices the user sees
        (a choice is checked too)."""
        self.filters["customer"].queryset = customers or Customer.objects.none()
        self.form.fields["q"].widget.attrs["id"] = "filter_q"

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            reduce(or_, (Q(**{lookup: value}) for lookup in SEARCH_LOOKUPS))
        )

    def only_overdue(self, queryset, name, value):
        return (
            queryset.filter(payment_status=PaymentStatus.OVERDUE) if value else queryset
        )

    def describe_errors(self) -> list[str]:
        return [
            f"{self.form.fields[name].label or name}: {error}"
            if name in self.form.fields
            else str(error)
            for name, errors in self.form.errors.items()
            for error in errors
        ]


def invoice_customers(invoices: QuerySet) -> QuerySet[Customer]:
    """The customers of the invoices the user sees, for the customer filter."""
    return Customer.objects.filter(
        pk__in=invoices.order_by().values("customer_id")
    ).order_by("name", "customer_number")


def balance_totals(invoices: QuerySet) -> list[dict]:
    """Outstanding and overdue amounts of `invoices`, per currency."""
    open_ = invoices.exclude(
        payment_status__in=[PaymentStatus.VOID, PaymentStatus.PAID]
    )
    rows = (
        open_.order_by()
        .values("currency")
        .annotate(
            open_amount=Sum("outstanding"),
            overdue_amount=Sum(
                "outstanding", filter=Q(payment_status=PaymentStatus.OVERDUE)
            ),
        )
        .order_by("currency")
    )
    return [row for row in rows if row["open_amount"]]
