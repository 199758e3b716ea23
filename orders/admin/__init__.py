"""The orders app's admin, by subdomain."""

from orders.admin import merchants, orders  # noqa: F401
