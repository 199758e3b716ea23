"""What happens to each demo order, and when: its path through the statuses."""

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from orders.state_machine import OrderStatus

S = OrderStatus
HISTORY = timedelta(days=60)

# How often each status is where an order ends up; tuned so the Orders view shows
# a realistic mix (mostly finished work, a steady queue of new orders).
PHYSICAL_TARGETS = {
    S.DRAFT: 2,
    S.PENDING: 9,
    S.PAYMENT_VERIFIED: 10,
    S.CONFIRMED: 10,
    S.SHIPPED: 16,
    S.DELIVERED: 14,
    S.COMPLETE: 24,
    S.ON_HOLD: 5,
    S.CANCELLED: 8,
}
SERVICE_TARGETS = {
    S.DRAFT: 2,
    S.PENDING: 6,
    S.PAYMENT_VERIFIED: 10,
    S.IN_PROGRESS: 20,
    S.IN_REVIEW: 12,
    S.COMPLETE: 35,
    S.ON_HOLD: 6,
    S.CANCELLED: 6,
}
# The first orders cover every status, so even a small demo shows them all.
EVERY_STATUS = [("physical", status) for status in PHYSICAL_TARGETS] + [
    ("service", S.IN_PROGRESS),
    ("service", S.IN_REVIEW),
]
# Hours a step usually takes, by the status it reaches.
STEP_HOURS = {
    S.PAYMENT_VERIFIED: (0.1, 20),
    S.CONFIRMED: (1, 20),
    S.SHIPPED: (3, 36),
    S.DELIVERED: (20, 96),
    S.COMPLETE: (6, 72),
    S.ON_HOLD: (1, 48),
    S.CANCELLED: (1, 72),
    S.IN_PROGRESS: (2, 48),
    S.IN_REVIEW: (24, 240),
}
RETURN_WINDOW_HOURS = 14 * 24
# Extra days an order may have sat in its final status, by that status.
IDLE_DAYS = {
    S.DRAFT: 3,
    S.PENDING: 2,
    S.PAYMENT_VERIFIED: 1.5,
    S.CONFIRMED: 1,
    S.SHIPPED: 1,
    S.DELIVERED: 10,
    S.COMPLETE: 40,
    S.ON_HOLD: 6,
    S.CANCELLED: 55,
    S.IN_PROGRESS: 5,
    S.IN_REVIEW: 3,
}


@dataclass
class Plan:
    kind: str  # shopify, woo, manual, discord
    path: list
    placed_at: datetime
    step_times: list


def plans_make(rng: random.Random, count: int, now: datetime) -> list[Plan]:
    """`count` plans, oldest first, so order ids rise with placed_at."""
    made = [_plan(rng, kind, target, now) for kind, target in _targets(rng, count)]
    return sorted(made, key=lambda plan: plan.placed_at)


def _targets(rng: random.Random, count: int):
    for index in range(count):
        if index < len(EVERY_STATUS):
            flow, target = EVERY_STATUS[index]
        else:
            flow = "service" if rng.random() < 0.25 else "physical"
            weights = SERVICE_TARGETS if flow == "service" else PHYSICAL_TARGETS
            target = rng.choices(list(weights), list(weights.values()))[0]
        yield _kind(rng, flow, target), target


def _kind(rng: random.Random, flow: str, target: str) -> str:
    if target == S.DRAFT:
        return "manual" if flow == "physical" else "quote"
    if flow == "service":
        return "discord"
    return rng.choices(["shopify", "woo", "manual"], [60, 25, 15])[0]


def _plan(rng: random.Random, kind: str, target: str, now: datetime) -> Plan:
    path = _path(rng, kind, target)
    hours = [
        _step_hours(rng, before, after)
        for before, after in zip(path[:-1], path[1:], strict=True)
    ]
    busy = sum(hours)
    idle = rng.uniform(0, IDLE_DAYS[target] * 24)
    latest = HISTORY.total_seconds() / 3600 - 1
    if busy + idle > latest:  # squeeze the story into the demo's two months
        hours = [h * latest / (busy + idle) for h in hours]
        idle = idle * latest / (busy + idle)
    placed_at = now - timedelta(hours=sum(hours) + idle + rng.uniform(0, 0.5))
    times, moment = [], placed_at
    for step in hours:
        moment += timedelta(hours=step)
        times.append(moment)
    return Plan(kind=kind, path=path, placed_at=placed_at, step_times=times)


def _path(rng: random.Random, kind: str, target: str) -> list[str]:
    """The statuses the order passes through, from the one it is created in."""
    if target in (S.DRAFT, S.PENDING, S.PAYMENT_VERIFIED):
        return [target]
    if target == S.CANCELLED:
        return rng.choice(
            [[S.PENDING, S.CANCELLED], [S.PAYMENT_VERIFIED, S.ON_HOLD, S.CANCELLED]]
        )
    if kind in ("discord", "quote"):
        return _service_path(rng, target)
    unpaid = kind == "manual" or rng.random() < 0.15
    head = [S.PENDING] if unpaid else [S.PAYMENT_VERIFIED]
    if target == S.ON_HOLD:
        return [*head, S.ON_HOLD]
    if unpaid and kind != "manual":
        head.append(S.PAYMENT_VERIFIED)  # pay-later checkout, paid a bit later
    if rng.random() < 0.08:
        head.append(S.ON_HOLD)  # paused, then resumed
    flow = [*head, S.CONFIRMED, S.SHIPPED, S.DELIVERED, S.COMPLETE]
    return flow[: flow.index(target) + 1]


def _service_path(rng: random.Random, target: str) -> list[str]:
    flow = [S.PAYMENT_VERIFIED, S.IN_PROGRESS]
    if rng.random() < 0.2:
        flow.insert(0, S.PENDING)  # paid after the ticket was opened
    if target in (S.ON_HOLD, S.IN_PROGRESS):
        return flow + [target] * (target == S.ON_HOLD)
    flow.append(S.IN_REVIEW)
    if rng.random() < 0.3:
        flow += [S.IN_PROGRESS, S.IN_REVIEW]  # a round of changes
    return flow + [S.COMPLETE] * (target == S.COMPLETE)


def _step_hours(rng: random.Random, before: str, after: str) -> float:
    if (before, after) == (S.DELIVERED, S.COMPLETE):
        return RETURN_WINDOW_HOURS + rng.uniform(0, 12)
    low, high = STEP_HOURS.get(after, (1, 24))
    return rng.uniform(low, high)
