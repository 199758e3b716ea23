"""The demo's orders are saved in bulk (demo.orders.draft); these tests keep them the
rows the order services write for the same story."""

import random
from datetime import timedelta

import pytest
from django.forms.models import model_to_dict
from django.utils import timezone

from demo.orders.cast import cast_create
from demo.orders.draft import drafts_save
from demo.orders.plans import HISTORY, plans_make
from demo.orders.story import clock, order_play
from orders import services
from orders.models import Order, OrderEvent, OrderLine

pytestmark = pytest.mark.django_db

ROW_SKIP = {"id", "order"}  # besides what model_to_dict leaves out (txid)


def _play(orders: int):
    rng = random.Random(11)
    now = timezone.now().replace(microsecond=0)
    with clock(now - HISTORY - timedelta(days=1)):
        cast = cast_create(rng)
    return [order_play(cast, plan, rng) for plan in plans_make(rng, orders, now)]


def _replay(draft) -> None:
    """The draft's steps through the services, each at its own time."""
    order = None
    for name, at, values in draft.steps:
        with clock(at):
            if name == "order_create":
                order = services.order_create(**values)
            else:
                getattr(services, name)(order=order, **values)


def _fields(row) -> dict:
    fields = {k: v for k, v in model_to_dict(row).items() if k not in ROW_SKIP}
    if hasattr(row, "created_at"):  # not editable on the order: not in the dict
        fields.update(created_at=row.created_at)
    return fields


def _rows() -> dict:
    """Each order's row, lines and events, by store and number (ids left out)."""
    found = {}
    for order in Order.objects.order_by("pk"):
        lines = OrderLine.objects.filter(order=order).order_by("pk")
        events = OrderEvent.objects.filter(order=order).order_by("created_at", "pk")
        found[(order.store_id, order.order_number)] = (
            _fields(order) | {"updated_at": order.updated_at},
            [_fields(line) for line in lines],
            [_fields(event) for event in events],
        )
    return found


def test_drafts_save_the_rows_the_order_services_write():
    """Saved in bulk, each demo order, its lines and its timeline are what the
    services write when the same steps go through them."""
    drafts = _play(orders=60)
    drafts_save(drafts)
    bulk = _rows()
    assert len(bulk) == 60

    Order.objects.all().delete()
    for draft in drafts:
        _replay(draft)
    assert _rows() == bulk


def test_every_step_of_the_story_is_kept_for_the_replay():
    """Each event of a draft comes from one of its steps, oldest first."""
    for draft in _play(orders=20):
        assert draft.steps[0][0] == "order_create"
        times = [at for _name, at, _values in draft.steps]
        assert times == sorted(times)
        assert len(draft.events) <= len(draft.steps)
