"""Discord's answers to order events (subscribed in OrdersConfig.ready); each event
arrives after its transaction committed (performile.events)."""

from django.dispatch import receiver

from orders.discord.roles import order_grant_purchased_role
from orders.signals import order_status_changed
from orders.state_machine import OrderStatus


@receiver(order_status_changed, dispatch_uid="discord-purchased-role")
def on_order_status_changed(sender, *, order_id, to_status, **kwargs):
    if to_status == OrderStatus.COMPLETE:
        order_grant_purchased_role(order_id=order_id)
