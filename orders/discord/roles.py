"""The store's "purchased" role: given in Discord when a customer's order completes,
so completed orders unlock reviews and customer channels without an admin."""

from django.db import transaction

from orders.discord import dms
from orders.models import Order
from performile.models import OutboxMessage


def order_grant_purchased_role(*, order_id: int) -> list[OutboxMessage]:
    """Queue the purchased role of every Discord server of the order's store that has
    one configured, for the order's customer if they are a Discord user. At most once
    per order, server and role. Returns the queued messages."""
    with transaction.atomic():
        # The lock makes two concurrent calls for one order queue one grant.
        order = (
            Order.objects.select_for_update(of=("self",))
            .select_related("customer")
            .filter(pk=order_id)
            .first()
        )
        user_id = order.customer.discord_user_id if order and order.customer else ""
        if not user_id:
            return []
        queued = []
        for guild in order.store.guilds.exclude(purchased_role_id=""):
            if _already_queued(order, guild, user_id):
                continue
            queued.append(
                dms.grant_role(
                    guild=guild,
                    user_id=user_id,
                    role_id=guild.purchased_role_id,
                    order_id=order.pk,
                )
            )
        return queued


def _already_queued(order, guild, user_id) -> bool:
    return OutboxMessage.objects.filter(
        channel=OutboxMessage.Channel.DISCORD,
        order_id=order.pk,
        recipient=user_id,
        headers__kind=dms.ROLE,
        headers__guild_id=guild.guild_id,
        headers__role_id=guild.purchased_role_id,
    ).exists()
