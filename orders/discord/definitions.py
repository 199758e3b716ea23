"""The slash commands as Discord is told about them (discord_register_commands).

Option types are Discord's: 3 STRING, 4 INTEGER, 6 USER. The amount is a STRING so
that "$150.00" (as the guide writes it) is accepted; the command parses it.
"""

from orders.discord.choices import PAYMENT_METHODS, STATUSES, as_discord

STRING = 3
INTEGER = 4
USER = 6
CHAT_INPUT = 1
# MANAGE_GUILD (1 << 5): Discord hides the admin commands from other members; the
# commands check the permission again all the same.
MANAGE_SERVER = str(1 << 5)
GUILD_CONTEXT = 0


def _option(type_, name, description, *, required=False, **extra) -> dict:
    return {
        "type": type_,
        "name": name,
        "description": description,
        "required": required,
        **extra,
    }


def _command(name, description, options, *, admin=False) -> dict:
    command = {
        "type": CHAT_INPUT,
        "name": name,
        "description": description,
        "options": options,
        # Orders belong to the store linked to a server: no command in DMs.
        # (dm_permission is the older spelling of contexts; Discord takes both.)
        "dm_permission": False,
        "contexts": [GUILD_CONTEXT],
    }
    if admin:
        command["default_member_permissions"] = MANAGE_SERVER
    return command


def command_definitions() -> list[dict]:
    return [
        _command(
            "trackorder",
            "Track your order: status, progress, staff and latest notes",
            [
                _option(
                    STRING, "order_id", "The order id (default: your latest order)"
                ),
            ],
        ),
        _command(
            "addorder",
            "Add an order after verifying its payment (Manage Server)",
            [
                _option(USER, "user", "The customer", required=True),
                _option(STRING, "service", "What was bought", required=True),
                _option(
                    STRING,
                    "payment_method",
                    "How the customer paid",
                    required=True,
                    choices=as_discord(PAYMENT_METHODS),
                ),
                _option(
                    STRING, "amount", "The amount paid, e.g. $150.00", required=True
                ),
                # Discord lists required options first.
                _option(STRING, "order_id", "A new order id (empty: the next number)"),
                _option(STRING, "notes", "Notes on the order"),
            ],
            admin=True,
        ),
        _command(
            "updateorder",
            "Change an order's status, add notes, assign staff (Manage Server)",
            [
                _option(STRING, "order_id", "The order id", required=True),
                _option(
                    STRING,
                    "status",
                    "The new status",
                    required=True,
                    choices=as_discord(STATUSES),
                ),
                _option(STRING, "notes", "Notes for the customer and the team"),
                _option(USER, "assigned_staff", "The staff member working on it"),
            ],
            admin=True,
        ),
        _command(
            "listorders",
            "List orders, newest first (Manage Server)",
            [
                _option(
                    STRING,
                    "status",
                    "Only orders in this status",
                    choices=as_discord(STATUSES),
                ),
                _option(STRING, "service", "Only services containing this text"),
                _option(
                    INTEGER,
                    "limit",
                    "How many (default 10, at most 25)",
                    min_value=1,
                    max_value=25,
                ),
            ],
            admin=True,
        ),
    ]
