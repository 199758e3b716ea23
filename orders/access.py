"""Who reaches which orders: the role rule, written once.

A user reaches orders through each membership and through the customer account
they sign in as; each is one `Reach`, a set of conditions on an order:

| who | reach |
|---|---|
| merchant staff and admins | `Reach(merchant_id=m)`: every order of the merchant |
| a reseller | `Reach(merchant_id=m, store_ids={...})`: the stores they own |
| a supplier | `Reach(merchant_id=m, supplier_id=user.pk)`: orders assigned to them |
| a customer account | `Reach(customer_id=c)`: their own orders |
| a superuser | `EVERYTHING` (`Reach()`): no condition at all |
| a Discord server's manager | `store_reach(store)`: the server's store |
| a Discord customer | `discord_customer_reach(store, id)`: their own orders in it |

Everything else is derived from the reaches here: the order filter
(`orders.selectors.visible_orders`, the billing scope of invoices and payments,
Discord's orders), the live-update scopes, the write checks ("covers this order",
"manages this merchant"), and the stores a user may create orders in or filter by.
Anonymous users reach nothing; inactive users read nothing (`reaches`), while the
write checks read the memberships as they are (`member_reaches`), as they always
have: an inactive account cannot sign in, but a job started by one finishes.
"""

from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.db.models import Q, QuerySet

from orders.models import Customer, Membership, Order, Store


@dataclass(frozen=True)
class Reach:
    """The orders matching every condition that is set; a field left None sets no
    condition (`Reach()` is every order of every merchant)."""

    merchant_id: int | None = None
    store_ids: frozenset[int] | None = None  # None: every store of the merchant
    supplier_id: int | None = None  # only the orders assigned to this supplier
    customer_id: int | None = None  # only this customer's orders
    # Only the orders of the merchant's customers linked to this Discord user.
    discord_user_id: str | None = None

    @property
    def whole_stores(self) -> bool:
        """Every order of its stores, not only someone's: staff, admins, resellers
        and superusers (who create orders and see the stores' billing)."""
        return (
            self.supplier_id is None
            and self.customer_id is None
            and self.discord_user_id is None
        )

    @property
    def whole_merchant(self) -> bool:
        """Every order of its merchant (of all merchants for `EVERYTHING`): the
        merchant's staff and admins, who manage the merchant's orders."""
        return self.whole_stores and self.store_ids is None

    def manages(self, merchant_id: int) -> bool:
        return self.whole_merchant and self.merchant_id in (None, merchant_id)

    def covers_store(self, store: Store) -> bool:
        """A whole-stores reach's store (orders may be created in it). A reseller's
        stores are named; the merchant's staff reach all of the merchant's."""
        if not self.whole_stores:
            return False
        if self.store_ids is not None:
            return store.pk in self.store_ids
        return self.merchant_id in (None, store.merchant_id)

    def covers(self, order: Order) -> bool:
        """Does the reach include this order (read from the order's fields)?"""
        return (
            self.merchant_id in (None, order.merchant_id)
            and (self.store_ids is None or order.store_id in self.store_ids)
            and self.supplier_id in (None, order.supplier_id)
            and self.customer_id in (None, order.customer_id)
            and (
                self.discord_user_id is None
                or (
                    order.customer_id is not None
                    and order.customer.merchant_id == self.merchant_id
                    and order.customer.discord_user_id == self.discord_user_id
                )
            )
        )


EVERYTHING = Reach()


# --- whose reaches --------------------------------------------------------------


def is_signed_in(user) -> bool:
    """An active, signed-in account: the only kind that reads anything."""
    return bool(user) and user.is_authenticated and user.is_active


def user_memberships(user) -> list[Membership]:
    """The user's memberships, read once per request (cached on the user)."""
    cached = getattr(user, "_performile_memberships", None)
    if cached is None:
        cached = list(Membership.objects.filter(user=user).prefetch_related("stores"))
        user._performile_memberships = cached
    return cached


def user_customer_id(user) -> int | None:
    """The id of the customer record the user signs in as, read once per request
    (cached on the user, like the memberships)."""
    cached = getattr(user, "_performile_customer_id", False)
    if cached is False:
        cached = Customer.objects.filter(user=user).values_list("pk", flat=True).first()
        user._performile_customer_id = cached
    return cached


def membership_reach(membership: Membership) -> Reach | None:
    if membership.is_team:
        return Reach(merchant_id=membership.merchant_id)
    if membership.role == Membership.Role.RESELLER:
        return Reach(
            merchant_id=membership.merchant_id,
            store_ids=frozenset(store.pk for store in membership.stores.all()),
        )
    if membership.role == Membership.Role.SUPPLIER:
        return Reach(merchant_id=membership.merchant_id, supplier_id=membership.user_id)
    return None  # a role of no reach


def _membership_reaches(memberships) -> tuple[Reach, ...]:
    found = (membership_reach(membership) for membership in memberships)
    return tuple(reach for reach in found if reach is not None)


def member_reaches(user) -> tuple[Reach, ...]:
    """What the user's memberships reach (everything for a superuser), from the
    per-request cache; no customer account, and whether or not the account is
    active (the write checks)."""
    if not user or not user.is_authenticated:
        return ()
    if user.is_superuser:
        return (EVERYTHING,)
    return _membership_reaches(user_memberships(user))


def team_merchant_ids(user) -> set[int]:
    """Merchants whose staff or admin the user is, by membership (a superuser's
    reach of everything is not a merchant's; callers ask `is_superuser` first)."""
    found = _membership_reaches(user_memberships(user))
    return {reach.merchant_id for reach in found if reach.whole_merchant}


def admin_merchant_ids(user) -> set[int]:
    """Merchants whose admin the user is, by membership: the merchant's settings
    (workspace.settings). Only an active, signed-in account; a superuser's reach
    is not an admin's (the platform operator has the Django admin)."""
    if not is_signed_in(user):
        return set()
    return {
        membership.merchant_id
        for membership in user_memberships(user)
        if membership.role == Membership.Role.ADMIN
    }


def reaches(user) -> tuple[Reach, ...]:
    """What a signed-in, active user reaches: their memberships and their customer
    account (the reads)."""
    if not is_signed_in(user):
        return ()
    found = member_reaches(user)
    if EVERYTHING in found:
        return found
    customer_id = user_customer_id(user)
    return found + ((Reach(customer_id=customer_id),) if customer_id else ())


def fresh_reaches(user) -> tuple[Reach, ...]:
    """`reaches`, read from the database now rather than the per-request cache (an
    open websocket asks again later)."""
    if not is_signed_in(user):
        return ()
    if user.is_superuser:
        return (EVERYTHING,)
    memberships = Membership.objects.filter(user=user).prefetch_related("stores")
    customers = Customer.objects.filter(user=user).values_list("pk", flat=True)
    return _membership_reaches(memberships) + tuple(
        Reach(customer_id=pk) for pk in customers
    )


def store_reach(store: Store) -> Reach:
    """What a Discord server's managers reach: every order of its store."""
    return Reach(merchant_id=store.merchant_id, store_ids=frozenset({store.pk}))


def discord_customer_reach(store: Store, discord_user_id: str) -> Reach:
    """A Discord caller's own orders in the server's store: those of the merchant's
    customers linked to their Discord id."""
    return Reach(
        merchant_id=store.merchant_id,
        store_ids=frozenset({store.pk}),
        discord_user_id=discord_user_id,
    )


# --- what the reaches give ------------------------------------------------------


def reach_filter(
    found,
    *,
    merchant: str = "merchant_id",
    store: str = "store_id",
    supplier: str = "supplier_id",
    customer: str = "customer_id",
) -> Q | None:
    """The reaches as a filter on a model with those fields (an invoice's
    `store_id`, a payment's `order__store_id`): Q() for everything, None for
    nothing."""
    rules = [_reach_q(reach, merchant, store, supplier, customer) for reach in found]
    if not rules:
        return None
    if not all(rules):
        return Q()
    return reduce(or_, rules)


def _reach_q(reach: Reach, merchant, store, supplier, customer) -> Q:
    conditions = {}
    if reach.merchant_id is not None:
        conditions[merchant] = reach.merchant_id
    if reach.store_ids is not None:
        conditions[f"{store}__in"] = sorted(reach.store_ids)
    if reach.supplier_id is not None:
        conditions[supplier] = reach.supplier_id
    if reach.customer_id is not None:
        conditions[customer] = reach.customer_id
    if reach.discord_user_id is not None:
        related = customer.removesuffix("_id")
        conditions[f"{related}__merchant_id"] = reach.merchant_id
        conditions[f"{related}__discord_user_id"] = reach.discord_user_id
    return Q(**conditions)


def reached(queryset: QuerySet, found, **fields) -> QuerySet:
    """`queryset` narrowed to the reaches (`reach_filter`'s field names)."""
    rule = reach_filter(found, **fields)
    if rule is None:
        return queryset.none()
    return queryset.filter(rule) if rule else queryset


def orders_reached(found, *, include_deleted: bool = False) -> QuerySet[Order]:
    orders = Order.objects.all() if include_deleted else Order.objects.not_deleted()
    return reached(orders, found)


def order_rows_reached(rows: QuerySet, found) -> QuerySet:
    """`rows` of a model that belongs to an order (`order`) and carries its
    merchant (`merchant_id`): shipments, conversations, invoices. Those of orders in
    reach and not deleted: for reaches of whole merchants or stores (staff, admins,
    resellers, superusers) narrowed on the row's own merchant, so that PostgreSQL
    starts from the rows rather than from every order of the merchant; through the
    order otherwise."""
    if not found or not all(reach.whole_stores for reach in found):
        return rows.filter(order__in=orders_reached(found))
    rule = reach_filter(found, store="order__store_id")
    deleted = Order.objects.filter(deleted_at__isnull=False).values("pk")
    return rows.filter(rule).exclude(order__in=deleted)


def covers_order(found, order: Order) -> bool:
    return any(reach.covers(order) for reach in found)


def manages_merchant(found, merchant_id: int) -> bool:
    return any(reach.manages(merchant_id) for reach in found)


def may_create_in(found, store: Store) -> bool:
    return any(reach.covers_store(store) for reach in found)


def creates_orders(found) -> bool:
    """Staff, admins and resellers create orders; suppliers only fulfil them."""
    return any(reach.whole_stores for reach in found)


def store_filter(found) -> Q | None:
    """The stores with orders in reach, as a filter on Store: whole stores as
    named (a reseller's) or all of the merchant's, and for a supplier the stores
    of the orders assigned to them. Q() for every store, None for none."""
    rules = []
    for reach in found:
        if reach.customer_id is not None or reach.discord_user_id is not None:
            continue  # a customer's orders are not theirs to create or filter by
        if reach.store_ids is not None:
            rules.append(Q(pk__in=sorted(reach.store_ids)))
        elif reach.supplier_id is not None:
            rules.append(
                Q(merchant_id=reach.merchant_id, orders__supplier_id=reach.supplier_id)
            )
        elif reach.merchant_id is not None:
            rules.append(Q(merchant_id=reach.merchant_id))
        else:
            return Q()
    return reduce(or_, rules) if rules else None


@dataclass(frozen=True)
class OrderScopes:
    """Reaches in the units live updates are sent to: whole stores, a supplier's
    assignments at a merchant, a customer's own orders."""

    store_ids: frozenset[int] = frozenset()
    supplier_merchant_ids: frozenset[int] = frozenset()
    customer_ids: frozenset[int] = frozenset()


def order_scopes(found) -> OrderScopes:
    """The reaches as live-update scopes; whole merchants are expanded to their
    stores in one query."""
    stores, suppliers, customers, merchants = set(), set(), set(), set()
    for reach in found:
        if reach.customer_id is not None:
            customers.add(reach.customer_id)
        elif reach.supplier_id is not None:
            suppliers.add(reach.merchant_id)
        elif reach.store_ids is not None:
            stores.update(reach.store_ids)
        else:
            merchants.add(reach.merchant_id)
    if None in merchants:
        stores.update(Store.objects.values_list("pk", flat=True))
    elif merchants:
        stores.update(
            Store.objects.filter(merchant_id__in=sorted(merchants)).values_list(
                "pk", flat=True
            )
        )
    return OrderScopes(frozenset(stores), frozenset(suppliers), frozenset(customers))
