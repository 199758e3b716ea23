"""Build the demo: two merchants, their people, and orders with a believable history.

Orders are played as the order services would write them (create, then status
changes along the state machine, tracking and assignments) and saved in bulk
(demo.orders.draft), so their events are the same as real ones. Everything is drawn
from one seeded `random.Random`: the same seed gives the same orders, people and
events (customer numbers excepted: the model draws them).
"""

import random
from collections import Counter
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from demo.orders.cast import cast_create
from demo.orders.discord import discord_demo_link
from demo.orders.draft import OrderDraft, drafts_save
from demo.orders.plans import HISTORY, plans_make
from demo.orders.story import clock, order_play
from orders.discord.roles import order_grant_purchased_role
from orders.models import DiscordGuild
from orders.state_machine import OrderStatus

DEFAULT_SEED = 2026


def demo_data_create(*, orders: int = 300, seed: int = DEFAULT_SEED) -> Counter:
    """Create the demo; returns how many orders ended in each status."""
    rng = random.Random(seed)
    now = timezone.now().replace(microsecond=0)
    with transaction.atomic():
        with clock(now - HISTORY - timedelta(days=1)):
            cast = cast_create(rng)
        plans = plans_make(rng, orders, now)
        drafts = [order_play(cast, plan, rng) for plan in plans]
        drafts_save(drafts)
        guild = discord_demo_link()
        if guild is not None:
            _purchased_roles_grant(guild, drafts)
    return Counter(plan.path[-1] for plan in plans)


def _purchased_roles_grant(guild: DiscordGuild, drafts: list[OrderDraft]) -> None:
    """The Discord role each completed order of the server's store gave its
    customer (what orders.discord.receivers does when an order completes)."""
    for draft in drafts:
        completed = [
            event.created_at
            for event in draft.events
            if event.to_status == OrderStatus.COMPLETE
        ]
        if completed and draft.order.store_id == guild.store_id:
            with clock(completed[0]):
                order_grant_purchased_role(order_id=draft.order.pk)
