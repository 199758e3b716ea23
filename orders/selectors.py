"""Reads of orders, with the access rule applied.

`visible_orders(user)` is the one rule of who sees which order; every surface (REST,
HTML, websockets, Discord, messages, invoices, portal) starts from it.
"""

from datetime import datetime, timedelta

from django.db.models import DurationField, ExpressionWrapper, F, Q, QuerySet, Value
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from orders import access, table
from orders.access import (  # noqa: F401  (their import path since before access)
    OrderScopes,
    user_customer_id,
    user_memberships,
)
from orders.models import Customer, Membership, Order, Source, Store
from performile.errors import ApplicationError


def visible_orders(user, *, include_deleted: bool = False) -> QuerySet[Order]:
    """Orders the user may see (deleted ones only when asked: the change feed
    tells clients to drop them).

    - merchant staff and admins: every order of their merchants' stores;
    - resellers: orders of the stores they own;
    - suppliers: orders assigned to them for fulfilment;
    - customers: their own orders;
    - superusers: everything; anyone else: nothing.

    The rule itself is `orders.access`: what each membership and customer account
    reaches.
    """
    return access.orders_reached(access.reaches(user), include_deleted=include_deleted)


def visible_order_rows(rows: QuerySet, user) -> QuerySet:
    """Rows of another app that belong to an order (shipments, conversations,
    invoices: `order` and `merchant_id`) of the orders `visible_orders(user)` gives."""
    return access.order_rows_reached(rows, access.reaches(user))


def visible_order_scopes(user) -> OrderScopes:
    """`visible_orders(user)` as live-update scopes. Read fresh, not from the
    per-request cache: an open websocket asks again later."""
    return access.order_scopes(access.fresh_reaches(user))


def order_get_for_user(user, order_id, *, for_update: bool = False) -> Order:
    """The order if the user may see it; Http404 otherwise (never 403)."""
    orders = visible_orders(user)
    return _get_or_404(orders.select_for_update() if for_update else orders, order_id)


def _get_or_404(orders: QuerySet[Order], order_id) -> Order:
    try:
        return orders.get(pk=order_id)
    except (Order.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("No such order.") from exc


def order_list(user, *, filters: dict | None = None) -> QuerySet[Order]:
    """The visible orders, newest first, with what a list row shows."""
    from orders.filters import OrderFilter

    orders = (
        visible_orders(user)
        .select_related("store", "customer", "assigned_staff", "supplier")
        .order_by("-id")
    )
    if filters:
        filterset = OrderFilter(filters, queryset=orders, user=user)
        if not filterset.is_valid():
            raise ApplicationError(
                "Invalid filters.", fields=dict(filterset.errors.get_json_data())
            )
        orders = filterset.qs
    return orders


def order_detail(user, order_id) -> Order:
    """The order with everything its detail shows (lines, timeline, people)."""
    orders = (
        visible_orders(user)
        .select_related(
            "store",
            "customer",
            "assigned_staff",
            "supplier",
            "created_by",
            "updated_by",
        )
        .prefetch_related("lines", "events__actor")
    )
    return _get_or_404(table.with_columns(orders), order_id)


def user_stores(user) -> QuerySet[Store]:
    """Stores whose orders the user can create or filter by."""
    rule = access.store_filter(access.member_reaches(user))
    stores = Store.objects.select_related("merchant")
    if rule is None:
        return stores.none()
    return stores.filter(rule).distinct() if rule else stores


def user_may_create_orders(user) -> bool:
    """Staff, admins and resellers create orders; suppliers only fulfil them."""
    return access.creates_orders(access.member_reaches(user))


def user_may_create_orders_in(user, store: Store) -> bool:
    """Staff and admins in their merchant's stores, resellers in theirs."""
    return access.may_create_in(access.member_reaches(user), store)


def user_is_merchant_member(user) -> bool:
    """Staff, admins, resellers and suppliers: the people of the Orders view and the
    merchant API (customers have the portal)."""
    if not user or not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or bool(user_memberships(user))


def order_is_workable_by(user, order: Order) -> bool:
    """May the user change this order (its status, its details)? Staff and admins of
    its merchant, the reseller owning its store, the supplier it is assigned to."""
    return access.covers_order(access.member_reaches(user), order)


def order_is_managed_by(user, order: Order) -> bool:
    """May the user manage this order (assign it, delete or restore it)? Staff and
    admins of its merchant only: the order belongs to the merchant."""
    return merchant_is_managed_by(user, order.merchant_id)


def merchant_is_managed_by(user, merchant_id: int) -> bool:
    """Is the user staff or admin of the merchant (or the platform's superuser)?"""
    return access.manages_merchant(access.member_reaches(user), merchant_id)


def merchant_is_administered_by(user, merchant_id: int) -> bool:
    """Is the user an admin of the merchant (its settings, its team)?"""
    return merchant_id in access.admin_merchant_ids(user)


def user_admin_merchant_ids(user) -> set[int]:
    """Merchants where the user is an admin."""
    return access.admin_merchant_ids(user)


def team_customers(user) -> QuerySet[Customer]:
    """The customers of the merchants where the user is staff or admin."""
    if user.is_superuser:
        return Customer.objects.all()
    return Customer.objects.filter(merchant_id__in=user_team_merchant_ids(user))


def customer_get_for_team(user, customer_id) -> Customer:
    """A customer of a merchant where the user is staff or admin; anyone else's
    is Http404, like one that does not exist."""
    return get_object_or_404(team_customers(user), pk=customer_id)


def customer_by_number_for_team(user, customer_number: str) -> Customer | None:
    return team_customers(user).filter(customer_number=customer_number).first()


def user_team_merchant_ids(user) -> set[int]:
    """Merchants where the user is staff or admin."""
    return access.team_merchant_ids(user)


def merchant_members(merchant_id: int, *roles: str) -> QuerySet:
    from django.contrib.auth import get_user_model

    memberships = Membership.objects.filter(merchant_id=merchant_id)
    if roles:
        memberships = memberships.filter(role__in=roles)
    return (
        get_user_model()
        .objects.filter(pk__in=memberships.values("user_id"), is_active=True)
        .order_by("first_name", "username")
    )


def store_list_due_for_reconcile(*, now: datetime | None = None) -> list[int]:
    """Ids of the webshop stores whose scheduled catch-up is due: a schedule is set
    (`reconcile_every_minutes` > 0) and the last catch-up is that long ago, or
    never happened."""
    now = now or timezone.now()
    interval = ExpressionWrapper(
        F("reconcile_every_minutes") * timedelta(minutes=1),
        output_field=DurationField(),
    )
    return list(
        Store.objects.filter(
            reconcile_every_minutes__gt=0,
            platform__in=[Source.SHOPIFY, Source.WOOCOMMERCE],
        )
        .filter(Q(reconciled_at=None) | Q(reconciled_at__lte=Value(now) - interval))
        .order_by(F("reconciled_at").asc(nulls_first=True), "pk")
        .values_list("pk", flat=True)
    )
