"""The demo's status changes are announced in bulk (messaging.notifications.history);
these tests keep that what the receivers write when each change happens."""

import random
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from demo.orders.cast import cast_create
from demo.orders.draft import drafts_save
from demo.orders.plans import HISTORY, plans_make
from demo.orders.story import clock, order_play
from messaging.models import Message, Thread
from messaging.notifications.history import status_changes_announce
from orders import services
from orders.models import Order
from performile import outbox
from performile.models import OutboxMessage

pytestmark = pytest.mark.django_db


def _written() -> dict:
    """Each order's thread, system messages and notifications (the random part of
    the Message-IDs left out), by order number."""
    found = {}
    for thread in Thread.objects.select_related("order"):
        messages = Message.objects.filter(thread=thread).order_by("created_at", "pk")
        notices = OutboxMessage.objects.filter(order_id=thread.order_id).order_by(
            "created_at", "pk"
        )
        found[thread.order.order_number] = (
            thread.created_at,
            [(m.channel, m.direction, m.body, m.created_at) for m in messages],
            [
                (
                    n.channel,
                    n.recipient,
                    n.subject,
                    n.body,
                    n.status,
                    n.sent_at,
                    n.headers["Message-ID"].startswith(f"<t-{thread.token}."),
                    n.headers.get("Reply-To"),
                )
                for n in notices
            ],
        )
    return found


def _live(drafts, capture) -> None:
    """Each step through the services, its events answered as it commits."""
    for draft in drafts:
        order = None
        for name, at, values in draft.steps:
            with clock(at), capture(execute=True):
                if name == "order_create":
                    order = services.order_create(**values)
                else:
                    getattr(services, name)(order=order, **values)


def test_status_changes_are_announced_as_the_receivers_announce_them(
    django_capture_on_commit_callbacks,
):
    """The bulk announcements of a written past are the system messages and
    notifications the receivers write when the same changes happen one by one."""
    rng = random.Random(5)
    now = timezone.now().replace(microsecond=0)
    with clock(now - HISTORY - timedelta(days=1)):
        cast = cast_create(rng)
    drafts = [order_play(cast, plan, rng) for plan in plans_make(rng, 40, now)]

    with outbox.recording_history(), transaction.atomic():
        drafts_save(drafts)
        written = status_changes_announce(orders=Order.objects.all())
        bulk = _written()
        transaction.set_rollback(True)
    assert written == sum(
        1 for draft in drafts for event in draft.events if event.from_status
    )
    assert any(notices for _at, _messages, notices in bulk.values())

    with outbox.recording_history():
        _live(drafts, django_capture_on_commit_callbacks)
    assert _written() == bulk


def test_orders_with_a_thread_are_not_announced_again(store):
    """A second run finds every order answered already and writes nothing."""
    order = services.order_create(store=store, order_number="A-1")
    services.order_change_status(order=order, to="payment_verified")
    with outbox.recording_history():
        assert status_changes_announce(orders=Order.objects.all()) == 1
        assert status_changes_announce(orders=Order.objects.all()) == 0
    assert Message.objects.count() == 1
