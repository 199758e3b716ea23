"""Who may read which order from Discord: the Discord form of
`orders.selectors.visible_orders`.

A Discord caller has no sign-in; they are known by their Discord user id, linked
to a Customer of the store's merchant (`Customer.discord_user_id`) and/or to a
staff member (`Membership.discord_user_id`, `orders.discord.people.staff_for`: the
actor of what they do). The server's own permission decides
management: a member with Manage Server (or Administrator) reads every order of
the store the server is linked to. Nothing else of the merchant, and no other
store, is ever in reach of a server. The reaches themselves are `orders.access`'s.
"""

from django.db.models import Case, QuerySet, When

from orders import access
from orders.models import Order


def store_orders(asked) -> QuerySet[Order]:
    """Every live order of the server's store (`orders.access.store_reach`: the
    merchant is filtered too, so PostgreSQL may use the merchant's indexes (status)
    as well as the store's)."""
    return access.orders_reached([access.store_reach(asked.store)])


def customer_orders(asked) -> QuerySet[Order]:
    """The caller's own orders in the store: those of the merchant's customers
    linked to the caller's Discord id (none when no customer is linked)."""
    if not asked.caller.id:
        return Order.objects.none()
    reach = access.discord_customer_reach(asked.store, asked.caller.id)
    return access.orders_reached([reach])


def trackable_orders(asked) -> QuerySet[Order]:
    """The orders the caller may track: the whole store with Manage Server, else
    their own. Anything outside answers `❌ Order ID not found`."""
    return store_orders(asked) if asked.may_manage else customer_orders(asked)


def by_number(orders: QuerySet[Order], typed: str) -> QuerySet[Order]:
    """`orders` with the order id as typed, or without the "#" people put in front
    of numbers; the exact spelling first."""
    spellings = {typed, typed.removeprefix("#").strip()} - {""}
    return orders.filter(order_number__in=spellings).order_by(
        Case(When(order_number=typed, then=0), default=1)
    )
