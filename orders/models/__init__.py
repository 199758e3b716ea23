"""The orders app's models, by subdomain: merchants and their people, customers,
orders. Everything is importable from `orders.models` as before."""

from orders.models.customers import Customer
from orders.models.merchants import (
    TEAM_ROLES,
    DiscordGuild,
    Membership,
    Merchant,
    Source,
    Store,
    validate_regex,
)
from orders.models.orders import (
    CurrentTransactionId,
    Order,
    OrderEvent,
    OrderLine,
    OrderQuerySet,
)
from orders.models.views import SavedView

__all__ = [
    "CurrentTransactionId",
    "Customer",
    "DiscordGuild",
    "Membership",
    "Merchant",
    "Order",
    "OrderEvent",
    "OrderLine",
    "OrderQuerySet",
    "SavedView",
    "Source",
    "Store",
    "TEAM_ROLES",
    "validate_regex",
]
