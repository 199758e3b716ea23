"""The portal's order list filters: order number, date placed, and a status choice
in the customer's words mapped onto the state machine (docs/portal.md)."""

from datetime import datetime, time, timedelta

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from orders.state_machine import OPEN, OrderStatus

S = OrderStatus

# Customer's choice -> the statuses it covers. "active" is everything still under
# way (the dashboard's active orders); "pending" the part of it not yet started.
STATUS_FILTERS: dict[str, tuple[str, tuple[str, ...]]] = {
    "": (_("All orders"), ()),
    "active": (_("Active"), tuple(sorted(OPEN))),
    "pending": (_("Pending"), (S.DRAFT, S.PENDING, S.PAYMENT_VERIFIED)),
    "in_progress": (_("In progress"), (S.IN_PROGRESS, S.IN_REVIEW, S.CONFIRMED)),
    "shipped": (_("On its way"), (S.SHIPPED,)),
    "delivered": (_("Delivered / complete"), (S.DELIVERED, S.COMPLETE)),
    "on_hold": (_("On hold"), (S.ON_HOLD,)),
    "cancelled": (_("Cancelled"), (S.CANCELLED,)),
}


class OrderFilterForm(forms.Form):
    q = forms.CharField(
        required=False,
        max_length=64,
        label=_("Order number"),
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("Order number"), "id": "filter_q"}
        ),
    )
    status = forms.ChoiceField(
        required=False,
        label=_("Status"),
        choices=[(key, label) for key, (label, _statuses) in STATUS_FILTERS.items()],
    )
    placed_from = forms.DateField(
        required=False,
        label=_("Placed from"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    placed_to = forms.DateField(
        required=False,
        label=_("to"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def clean(self):
        data = super().clean()
        start, end = data.get("placed_from"), data.get("placed_to")
        if start and end and start > end:
            raise forms.ValidationError(_("The start date is after the end date."))
        return data


def order_filter(orders: QuerySet, data: dict) -> QuerySet:
    """Apply a valid form's cleaned data; dates are days in the current (the
    merchant's) time zone, both ends included."""
    if data.get("q"):
        orders = orders.filter(order_number__icontains=data["q"].strip())
    statuses = STATUS_FILTERS.get(data.get("status") or "", ("", ()))[1]
    if statuses:
        orders = orders.filter(status__in=statuses)
    if data.get("placed_from"):
        orders = orders.filter(placed_at__gte=_start_of(data["placed_from"]))
    if data.get("placed_to"):
        end = data["placed_to"] + timedelta(days=1)
        orders = orders.filter(placed_at__lt=_start_of(end))
    return orders


def _start_of(day) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))
