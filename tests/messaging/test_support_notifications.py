"""Staff hear of customer messages they have not seen in the app by one digest
email, after MESSAGES_DIGEST_MINUTES, once."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from messaging import services
from messaging.models import Message, SupportNotification
from messaging.notifications import messages_send_digests
from messaging.tasks import messages_send_digests as digest_task
from performile.models import OutboxMessage
from tests.factories import OrderFactory
from tests.racing import rows_locked_elsewhere

pytestmark = pytest.mark.django_db
START = timezone.now().replace(microsecond=0)


@pytest.fixture(autouse=True)
def digest_settings(settings):
    settings.MESSAGES_DIGEST_MINUTES = 15
    settings.PUBLIC_BASE_URL = "https://app.performile.test"


@pytest.fixture
def order(store, customer):
    return OrderFactory(store=store, customer=customer, order_number="ORD-10042")


@pytest.fixture
def traveller():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


def customer_writes(body="Where is my parcel? ORD-10042", **extra):
    return services.message_receive(
        channel=Message.Channel.EMAIL, sender="eva@example.com", body=body, **extra
    )


def digests():
    return list(OutboxMessage.objects.filter(channel=OutboxMessage.Channel.EMAIL))


def test_no_digest_before_the_delay(order, staff_user, traveller):
    """People get time to see the message in the app first."""
    customer_writes()
    traveller.shift(timedelta(minutes=14))

    assert messages_send_digests() == 0
    assert digests() == []


def test_one_digest_after_the_delay_and_never_twice(order, staff_user, traveller):
    """After the delay the staff member gets one email naming the order, what the
    customer wrote and a link to it; the next run sends nothing."""
    customer_writes()
    traveller.shift(timedelta(minutes=16))

    assert messages_send_digests() == 1
    (digest,) = digests()
    assert digest.recipient == staff_user.email
    assert digest.subject == "1 new customer message on order ORD-10042"
    assert "Order ORD-10042 (Nordic Goods):" in digest.body
    assert "Where is my parcel? ORD-10042" in digest.body
    assert f"https://app.performile.test/orders/{order.pk}/" in digest.body
    notification = SupportNotification.objects.get(user=staff_user)
    assert notification.emailed_at == timezone.now()

    traveller.shift(timedelta(minutes=30))
    digest_task()
    assert len(digests()) == 1


def test_seen_messages_are_not_emailed(order, staff_user, traveller):
    """A message read in the app needs no email."""
    message = customer_writes()
    services.messages_mark_read(order=order, message=message, user=staff_user)
    traveller.shift(timedelta(minutes=16))

    assert messages_send_digests() == 0
    assert digests() == []


def test_one_digest_covers_every_order_per_person(
    store, customer, staff_user, admin_member, traveller
):
    """Two orders, two people: each person gets one email listing both."""
    first = OrderFactory(store=store, customer=customer, order_number="ORD-1")
    second = OrderFactory(store=store, customer=customer, order_number="ORD-2")
    services.message_send_in_app(order=first, actor=customer.user, body="About 1")
    services.message_send_in_app(order=second, actor=customer.user, body="About 2")
    traveller.shift(timedelta(minutes=16))

    assert messages_send_digests() == 2
    recipients = sorted(digest.recipient for digest in digests())
    assert recipients == sorted([staff_user.email, admin_member.email])
    body = digests()[0].body
    assert body.index("Order ORD-1 ") < body.index("Order ORD-2 ")
    assert "About 1" in body
    assert "About 2" in body
    assert digests()[0].subject == "2 new customer messages"


def test_internal_notes_are_never_in_a_digest(order, staff_user, traveller):
    """Even a notification about an internal note (none is made today) does not
    put the note in an email."""
    customer_writes()
    note = services.message_add_note(order=order, actor=staff_user, body="Fraud?")
    SupportNotification.objects.create(user=staff_user, message=note)
    traveller.shift(timedelta(minutes=16))

    assert messages_send_digests() == 1
    (digest,) = digests()
    assert "Fraud?" not in digest.body
    assert "1 new customer message" in digest.subject


def test_someone_who_lost_access_gets_nothing(order, staff_user, traveller):
    """A person no longer on the merchant's team is not told of its orders."""
    customer_writes()
    staff_user.memberships.all().delete()
    traveller.shift(timedelta(minutes=16))

    assert messages_send_digests() == 0
    assert digests() == []


def test_unmatched_messages_point_to_the_unmatched_inbox(store, staff_user, traveller):
    """A message that found no order reaches its merchant's staff with a link to
    the unmatched inbox."""
    store.support_email = "help@nordic.example"
    store.save()
    services.message_receive(
        channel=Message.Channel.EMAIL,
        sender="stranger@example.com",
        recipient="help@nordic.example",
        body="Do you ship to Iceland?",
    )
    traveller.shift(timedelta(minutes=16))

    assert messages_send_digests() == 1
    (digest,) = digests()
    assert "Not linked to an order yet (1):" in digest.body
    assert "stranger@example.com (Email): Do you ship to Iceland?" in digest.body
    assert "https://app.performile.test/messages/unmatched/" in digest.body


@pytest.mark.django_db(transaction=True)
def test_a_run_skips_notifications_another_run_holds(order, staff_user):
    """Two runs at once: what one run has claimed (row locks) the other leaves
    alone, so nobody gets the same digest twice."""
    customer_writes()
    SupportNotification.objects.update(
        created_at=timezone.now() - timedelta(minutes=20)
    )
    with rows_locked_elsewhere(SupportNotification.objects.all()):
        assert messages_send_digests() == 0
    assert messages_send_digests() == 1
