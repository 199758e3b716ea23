"""Every write to orders, one function per use case, in a transaction, with the actor.

`order_change_status` is the only way an order's status changes.

By subdomain: `create` (new orders, their numbers and lines), `status` (status,
editable fields, tracking, notes and payments on the timeline), `assignment`
(staff and supplier), `deletion` (soft delete and restore), `customers` (the
customer an order is for), `webshop` (orders as webshops announce them),
`stores` (the merchant's and its stores' settings, webhook secrets) and
`memberships` (the team: roles, removal, invitations); `common` holds what they
share (the event row, the access checks). Import from here: `from orders.services import
order_create`.
"""

from orders.services.assignment import (
    ASSIGNEE_ROLES,
    assigned_event_note,
    order_assign,
)
from orders.services.common import (
    EDITABLE_FIELDS,
    INITIAL_STATUSES,
    changed_event_data,
    order_conversation_changed,
)
from orders.services.create import (
    OrderAlreadyImported,
    OrderNumberTaken,
    created_event_data,
    order_create,
    order_create_manual,
    order_lines,
    order_row,
)
from orders.services.customers import (
    customer_get_or_create,
    customer_language_set,
    webshop_identity,
)
from orders.services.deletion import order_delete, order_restore
from orders.services.memberships import (
    membership_change_role,
    membership_invite,
    membership_remove,
)
from orders.services.status import (
    BULK_MAX,
    TRACKING_FIELDS,
    order_change_status,
    order_change_status_many,
    order_log,
    order_log_many,
    order_log_payment,
    order_record_tracking,
    order_update,
)
from orders.services.stores import (
    discord_guild_link,
    discord_guild_unlink,
    merchant_update,
    new_webhook_secret,
    store_create,
    store_reveal_webhook_secret,
    store_rotate_webhook_secret,
    store_update,
)
from orders.services.webshop import (
    order_upsert_from_webshop,
    order_webshop_event,
    webshop_move_towards,
)

__all__ = [
    "ASSIGNEE_ROLES",
    "EDITABLE_FIELDS",
    "INITIAL_STATUSES",
    "TRACKING_FIELDS",
    "OrderAlreadyImported",
    "OrderNumberTaken",
    "assigned_event_note",
    "changed_event_data",
    "created_event_data",
    "customer_get_or_create",
    "customer_language_set",
    "order_assign",
    "BULK_MAX",
    "order_change_status",
    "order_change_status_many",
    "order_conversation_changed",
    "order_create",
    "order_create_manual",
    "order_delete",
    "order_lines",
    "order_log",
    "order_log_many",
    "order_log_payment",
    "order_record_tracking",
    "order_restore",
    "order_row",
    "order_update",
    "order_upsert_from_webshop",
    "order_webshop_event",
    "discord_guild_link",
    "discord_guild_unlink",
    "membership_change_role",
    "membership_invite",
    "membership_remove",
    "merchant_update",
    "new_webhook_secret",
    "store_create",
    "store_reveal_webhook_secret",
    "store_rotate_webhook_secret",
    "store_update",
    "webshop_identity",
    "webshop_move_towards",
]
