"""Build the demo: two merchants, their people, and orders with a believable history.

Orders are written only through `orders.services` (create, then status changes along
the state machine, tracking and assignments), so their events are the same as real
ones. Everything is drawn from one seeded `random.Random`: the same seed gives the
same orders, people and events (customer numbers excepted: the model draws them).
"""

import random
from collections import Counter
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from orders.demo.cast import cast_create
from orders.demo.discord import discord_demo_link
from orders.demo.plans import HISTORY, plans_make
from orders.demo.story import clock, order_play

DEFAULT_SEED = 2026


def demo_data_create(*, orders: int = 300, seed: int = DEFAULT_SEED) -> Counter:
    """Create the demo; returns how many orders ended in each status."""
    rng = random.Random(seed)
    now = timezone.now().replace(microsecond=0)
    with transaction.atomic():
        with clock(now - HISTORY - timedelta(days=1)):
            cast = cast_create(rng)
        plans = plans_make(rng, orders, now)
        for plan in plans:
            order_play(cast, plan, rng)
        discord_demo_link()
    return Counter(plan.path[-1] for plan in plans)
