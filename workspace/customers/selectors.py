"""Reads of the customer directory: the merchant's customers (`team_customers`:
staff and admins of the merchant), their orders counted from `visible_orders`,
their balances from `visible_invoices`, their portal access from the portal's
invitations."""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce, Lower
from django.http import Http404

from invoices.models import Invoice
from invoices.selectors import visible_invoices
from orders.models import Customer
from orders.selectors import team_customers, user_team_merchant_ids, visible_orders
from portal.invitations import (
    ACCESS_LABELS,
    access_actions,
    invitations_latest,
    with_portal_access,
)
from portal.models import PortalInvitation

SEARCH_MAX = 100


def directory_check(user) -> None:
    """The directory is for the staff and admins of a merchant (and the platform's
    superuser): anyone else finds no such page."""
    if not (user.is_superuser or user_team_merchant_ids(user)):
        raise Http404("No such page.")


def customer_directory(user, *, q: str = "", access: str = "") -> QuerySet[Customer]:
    """The user's merchants' customers (erased ones left out), by name, each with
    `order_count` and `portal_access`, matching `q` in their name, email, phone or
    number, and with that portal `access` (a key of ACCESS_LABELS; any other:
    all)."""
    orders = (
        visible_orders(user)
        .filter(customer_id=OuterRef("pk"))
        .order_by()
        .values("customer_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    customers = with_portal_access(
        team_customers(user)
        .filter(erased_at=None)
        .select_related("user")
        .annotate(
            order_count=Coalesce(Subquery(orders), 0, output_field=IntegerField())
        )
    )
    q = q.strip()[:SEARCH_MAX]
    if q:
        customers = customers.filter(
            Q(name__icontains=q)
            | Q(email__icontains=q)
            | Q(customer_number__icontains=q)
            | Q(phone__icontains=q)
        )
    if access in ACCESS_LABELS:
        customers = customers.filter(portal_access=access)
    return customers.order_by(Lower("name"), "customer_number")


def customer_balances(user, customer_ids) -> dict[int, list[tuple[str, Decimal]]]:
    """What each customer owes, per currency (their invoices' outstanding amounts,
    void ones left out); a currency that nets to nothing is left out."""
    rows = (
        visible_invoices(user)
        .filter(customer_id__in=list(customer_ids))
        .exclude(state=Invoice.State.VOID)
        .values_list("customer_id", "currency", "outstanding")
    )
    sums: dict[int, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for customer_id, currency, outstanding in rows:
        sums[customer_id][currency] += outstanding
    return {
        customer_id: sorted((c, amount) for c, amount in by.items() if amount)
        for customer_id, by in sums.items()
    }


@dataclass
class Access:
    """A customer's portal access: its state, label, last invitation and what
    staff may do about it."""

    state: str
    invitation: PortalInvitation | None
    actions: set[str] = field(default_factory=set)

    @property
    def label(self) -> str:
        return ACCESS_LABELS[self.state]


@dataclass
class Row:
    customer: Customer
    balances: list[tuple[str, Decimal]]
    access: Access


def directory_rows(user, customers) -> list[Row]:
    """The page's customers with their balances and portal access (two queries
    for the whole page)."""
    customers = list(customers)
    ids = [customer.pk for customer in customers]
    balances = customer_balances(user, ids)
    invitations = invitations_latest(ids)
    return [
        Row(
            customer=customer,
            balances=balances.get(customer.pk, []),
            access=customer_access(customer, invitations.get(customer.pk)),
        )
        for customer in customers
    ]


def customer_access(customer: Customer, invitation: PortalInvitation | None) -> Access:
    """`customer` from `customer_directory` (its `portal_access`) and its last
    invitation."""
    state = customer.portal_access
    return Access(state=state, invitation=invitation, actions=access_actions(state))


def customer_detail(user, customer_id) -> Customer:
    """One customer of the directory, with `order_count`; anyone else's: 404."""
    try:
        return customer_directory(user).get(pk=customer_id)
    except (Customer.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("No such customer.") from exc


def customer_invitations(customer: Customer) -> list[PortalInvitation]:
    return list(
        PortalInvitation.objects.filter(customer=customer)
        .select_related("invited_by")
        .order_by("-created_at", "-id")
    )


def customers_selected(user, ids) -> list[Customer]:
    """The customers of a selection, every one of them the user's (else 404:
    nothing is done for a selection with someone else's customer in it)."""
    try:
        wanted = {int(value) for value in ids}
    except (TypeError, ValueError) as exc:
        raise Http404("No such customer.") from exc
    found = list(
        team_customers(user)
        .filter(pk__in=wanted, erased_at=None)
        .order_by(Lower("name"), "customer_number")
    )
    if len(found) != len(wanted):
        raise Http404("No such customer.")
    return found
