"""The order list filters, shared by the REST API and the Orders view, and the
Orders view's filter bar that renders them."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone

from orders import selectors, table
from orders.models import Order
from orders.state_machine import OPEN, OrderStatus


class OrderFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="Search")
    status = django_filters.MultipleChoiceFilter(choices=OrderStatus.choices)
    state = django_filters.ChoiceFilter(
        method="filter_state",
        label="Show",
        choices=[("open", "Open orders"), ("closed", "Closed orders")],
        empty_label="All orders",
    )
    store = django_filters.NumberFilter(field_name="store_id")
    service = django_filters.CharFilter(field_name="service", lookup_expr="icontains")
    created_after = django_filters.DateFilter(
        field_name="placed_at",
        lookup_expr="date__gte",
        label="From",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    created_before = django_filters.DateFilter(
        field_name="placed_at",
        lookup_expr="date__lte",
        label="To",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    has_tracking = django_filters.BooleanFilter(method="filter_has_tracking")
    needs_action = django_filters.BooleanFilter(method="filter_needs_action")
    reason = django_filters.ChoiceFilter(
        method="filter_reason",
        label="Action needed",
        choices=list(table.REASONS.items()),
        empty_label="Any reason",
    )
    payment = django_filters.ChoiceFilter(
        method="filter_payment",
        label="Payment",
        choices=table.Payment.CHOICES,
        empty_label="Any payment",
    )
    sort = django_filters.ChoiceFilter(
        method="sort_by", label="Sort", choices=table.SORT_CHOICES
    )

    class Meta:
        model = Order
        fields = []

    def __init__(self, data=None, queryset=None, *, user=None, **kwargs):
        self.user = user
        super().__init__(data, queryset, **kwargs)

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(order_number__icontains=value)
            | Q(tracking_number=value)
            | Q(customer__name__icontains=value)
            | Q(customer__email__icontains=value)
        )

    def filter_state(self, queryset, name, value):
        if value == "open":
            return queryset.filter(status__in=OPEN)
        if value == "closed":
            return queryset.exclude(status__in=OPEN)
        return queryset

    def filter_has_tracking(self, queryset, name, value):
        return queryset.with_tracking(value)

    def filter_needs_action(self, queryset, name, value):
        return queryset.needing_action(value)

    def filter_reason(self, queryset, name, value):
        return table.reason_filter(queryset, value, timezone.now())

    def filter_payment(self, queryset, name, value):
        return table.payment_filter(queryset, value, timezone.localdate())

    def sort_by(self, queryset, name, value):
        return table.sort_orders(queryset, value)


class OrderFilterForm(forms.Form):
    """Renders the filter bar; `orders.filters.OrderFilter` validates and applies
    the same names."""

    q = forms.CharField(
        required=False,
        label="Search",
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "placeholder": "Order #, customer, email or tracking #",
                "autocomplete": "off",
            }
        ),
    )
    status = forms.ChoiceField(
        required=False, choices=[("", "All statuses"), *OrderStatus.choices]
    )
    store = forms.ModelChoiceField(
        required=False, queryset=None, empty_label="All stores"
    )
    state = forms.ChoiceField(
        required=False,
        label="Show",
        choices=[
            *OrderFilter.base_filters["state"].extra["choices"],
            ("", "All orders"),
        ],
    )
    has_tracking = forms.ChoiceField(
        required=False,
        label="Tracking",
        choices=[
            ("", "Any tracking"),
            ("true", "With tracking"),
            ("false", "No tracking"),
        ],
    )
    needs_action = forms.BooleanField(
        required=False,
        label="Needs action",
        widget=forms.CheckboxInput(attrs={"value": "true"}),
    )
    created_after = forms.DateField(
        required=False, label="From", widget=forms.DateInput(attrs={"type": "date"})
    )
    created_before = forms.DateField(
        required=False, label="To", widget=forms.DateInput(attrs={"type": "date"})
    )
    reason = forms.ChoiceField(
        required=False,
        label="Action needed",
        choices=[("", "Any reason"), *table.REASONS.items()],
    )
    payment = forms.ChoiceField(
        required=False,
        label="Payment",
        choices=[("", "Any payment"), *table.Payment.CHOICES],
    )
    sort = forms.ChoiceField(
        required=False,
        label="Sort",
        choices=[("", "Newest first"), *table.SORT_CHOICES],
    )

    def __init__(self, *args, user, **kwargs):
        kwargs.setdefault("auto_id", "filter_%s")  # ids unique beside the drawer's
        super().__init__(*args, **kwargs)
        self.fields["store"].queryset = selectors.user_stores(user)

    def describe(self, errors: dict) -> list[str]:
        """OrderFilter's errors ({name: [{"message": ...}]}) in this form's words."""
        return [
            f"{self[name].label if name in self.fields else name}: "
            f"{error.get('message', '') if isinstance(error, dict) else error}"
            for name, messages in errors.items()
            for error in messages
        ]
