"""Reads for personal-data work, with the access rules applied: a customer's
privacy page and export are for the staff and admins of the customer's merchant
(`orders.selectors.customer_get_for_team`; anyone else: 404), and for the customer
themselves through the portal."""

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from messaging.models import Message
from orders.models import Customer
from orders.selectors import (
    customer_get_for_team,
    merchant_is_managed_by,
    team_customers,
    visible_orders,
)
from privacy.models import PrivacyRequest

__all__ = [
    "customer_get_for_team",
    "privacy_customer_counts",
    "privacy_may_act",
    "privacy_request_get_for_team",
    "privacy_request_current",
    "privacy_request_open",
    "privacy_requests_of",
    "privacy_requests_open",
]


def privacy_may_act(user, customer: Customer) -> bool:
    """Who may export the customer's data or ask for its erasure: the merchant's
    staff and admins, and the customer signed in as themselves."""
    if not user or not user.is_authenticated:
        return False
    if customer.user_id is not None and customer.user_id == user.pk:
        return user.is_active
    return merchant_is_managed_by(user, customer.merchant_id)


def privacy_requests_open(user) -> QuerySet[PrivacyRequest]:
    """The open requests of the customers of the merchants where `user` is staff
    or admin, oldest first (the order they are due in)."""
    return (
        PrivacyRequest.objects.filter(
            status=PrivacyRequest.Status.OPEN,
            customer__in=team_customers(user),
        )
        .select_related("customer", "merchant")
        .order_by("requested_at", "id")
    )


def privacy_request_open(customer: Customer, kind: str) -> PrivacyRequest | None:
    return PrivacyRequest.objects.filter(
        customer=customer, kind=kind, status=PrivacyRequest.Status.OPEN
    ).first()


def privacy_request_current(customer: Customer, kind: str) -> PrivacyRequest | None:
    """The customer's open request of `kind`, else their newest one (done or
    declined): what their profile tells them about it."""
    found = privacy_request_open(customer, kind)
    return found or PrivacyRequest.objects.filter(customer=customer, kind=kind).first()


def privacy_customer_counts(user, customer: Customer) -> dict:
    """How much there is of the customer, as `user` sees it: their orders
    (soft-deleted ones too) and the messages of those orders' threads."""
    orders = visible_orders(user, include_deleted=True).filter(customer=customer)
    return {
        "orders": orders.count(),
        "messages": Message.objects.filter(thread__order__in=orders).count(),
    }


def privacy_requests_of(customer: Customer) -> QuerySet[PrivacyRequest]:
    return PrivacyRequest.objects.filter(customer=customer).select_related(
        "requested_by", "closed_by"
    )


def privacy_request_get_for_team(user, request_id) -> PrivacyRequest:
    """One request of such a customer; anyone else's is Http404."""
    return get_object_or_404(
        PrivacyRequest.objects.filter(customer__in=team_customers(user)),
        pk=request_id,
    )
