"""What a signed-in customer sees in the portal.

Everything starts from the platform's access rules (`orders.selectors.visible_orders`,
`invoices.selectors.visible_invoices`) and narrows them to the customer's own
records, then applies the portal's visibility windows:

- order history: 24 months (by when the order was placed);
- cancelled orders: 90 days after their last change (the cancellation, unless
  someone touched the order after it);
- draft orders: 7 days after they were created.

Invoices, credit notes and statements are accounting records: they are not windowed.
"""

from datetime import datetime, timedelta

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from invoices.models import Invoice
from invoices.selectors import (
    visible_credit_notes,
    visible_invoices,
    visible_payments,
    visible_statements,
)
from orders.languages import with_store_language
from orders.models import Customer, Order
from orders.selectors import visible_orders
from orders.state_machine import OrderStatus

HISTORY = timedelta(days=730)  # 24 months
CANCELLED_FOR = timedelta(days=90)
DRAFT_FOR = timedelta(days=7)


def portal_customer(user) -> Customer | None:
    """The customer record the user signs in as, or None."""
    if not user or not user.is_authenticated or not user.is_active:
        return None
    cached = getattr(user, "_portal_customer", False)
    if cached is False:
        customers = Customer.objects.select_related("merchant").filter(user=user)
        cached = with_store_language(customers).first()
        user._portal_customer = cached
    return cached


def windows(at: datetime | None = None) -> Q:
    at = at or timezone.now()
    return (
        Q(placed_at__gte=at - HISTORY)
        & ~Q(status=OrderStatus.CANCELLED, updated_at__lt=at - CANCELLED_FOR)
        & ~Q(status=OrderStatus.DRAFT, created_at__lt=at - DRAFT_FOR)
    )


def portal_orders(user, *, at: datetime | None = None) -> QuerySet[Order]:
    """The customer's own orders inside the visibility windows, newest first."""
    customer = portal_customer(user)
    if customer is None:
        return Order.objects.none()
    return (
        visible_orders(user)
        .filter(customer_id=customer.pk)
        .filter(windows(at))
        .select_related("store")
        .order_by("-placed_at", "-id")
    )


def portal_order_get(user, order_id, *, at: datetime | None = None) -> Order:
    """One of the customer's orders; Http404 for anything else."""
    try:
        return portal_orders(user, at=at).get(pk=order_id)
    except (Order.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("No such order.") from exc


def _own(queryset: QuerySet, user) -> QuerySet:
    customer = portal_customer(user)
    if customer is None:
        return queryset.none()
    return queryset.filter(customer_id=customer.pk)


def portal_invoices(user, *, at: datetime | None = None):
    return _own(visible_invoices(user, at=at), user).order_by("-issue_date", "-id")


def portal_invoice_get(user, invoice_id, *, at: datetime | None = None):
    try:
        return portal_invoices(user, at=at).get(pk=invoice_id)
    except (Invoice.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("No such invoice.") from exc


def portal_credit_notes(user):
    return _own(visible_credit_notes(user), user).order_by("-issue_date", "-id")


def portal_payments(user):
    return _own(visible_payments(user), user).order_by("-received_at", "-id")


def portal_statements(user):
    return _own(visible_statements(user), user)
