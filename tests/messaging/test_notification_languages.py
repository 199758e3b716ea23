"""Customer notifications are written in the customer's language: their own
choice, else their store's, else English. The system message in the order's
thread is the team's and stays English (docs/decisions.md, "Languages")."""

import pytest

from messaging.models import Message, NotificationPreference
from orders.notifications import order_tracking_notification
from orders.services import order_change_status
from orders.state_machine import OrderStatus as S
from orders.tracking import TrackingStatus as T
from performile.models import OutboxMessage
from tests.factories import CustomerFactory, OrderFactory

pytestmark = pytest.mark.django_db
Channel = OutboxMessage.Channel
PHONE = "+46701234567"


@pytest.fixture
def swedish_store(store):
    store.language = "sv"
    store.save(update_fields=["language"])
    return store


def customer_in(store, *, language=""):
    customer = CustomerFactory(
        merchant=store.merchant,
        name="Anna Svensson",
        email="anna@example.com",
        phone=PHONE,
        language=language,
    )
    NotificationPreference.objects.create(customer=customer, email=True, sms=True)
    return customer


def ship(order, staff_user, django_capture_on_commit_callbacks):
    order.tracking_number = "JJD0099"
    order.save()
    with django_capture_on_commit_callbacks(execute=True):
        order_change_status(order=order, to=S.SHIPPED, actor=staff_user)
    return {m.channel: m for m in OutboxMessage.objects.filter(order_id=order.pk)}


def test_a_swedish_stores_customer_is_told_of_the_shipment_in_swedish(
    swedish_store, staff_user, twilio, django_capture_on_commit_callbacks
):
    order = OrderFactory(
        store=swedish_store,
        customer=customer_in(swedish_store),
        order_number="ORD-10042",
        status=S.CONFIRMED,
    )

    sent = ship(order, staff_user, django_capture_on_commit_callbacks)

    email, sms = sent[Channel.EMAIL], sent[Channel.SMS]
    assert email.subject == "Din order ORD-10042 är på väg"
    assert email.body == (
        "Hej Anna Svensson,\n\n"
        f"Din order ORD-10042 från {swedish_store.name} är på väg.\n\n"
        "Spårningsnummer: JJD0099\n\n"
        f"Vänliga hälsningar,\n{swedish_store.name}"
    )
    assert sms.body == (
        f"{swedish_store.name}: Din order ORD-10042 är på väg. Spårningsnummer: JJD0099"
    )


def test_a_customer_who_chose_danish_in_a_swedish_store_gets_danish(
    swedish_store, staff_user, twilio, django_capture_on_commit_callbacks
):
    customer = customer_in(swedish_store, language="da")
    order = OrderFactory(
        store=swedish_store, customer=customer, order_number="ORD-7", status=S.CONFIRMED
    )

    sent = ship(order, staff_user, django_capture_on_commit_callbacks)

    assert sent[Channel.EMAIL].subject == "Din ordre ORD-7 er på vej"
    assert sent[Channel.EMAIL].body.startswith("Hej Anna Svensson,\n\nDin ordre ORD-7")
    assert "Venlig hilsen," in sent[Channel.EMAIL].body
    assert sent[Channel.SMS].body.endswith(
        "Din ordre ORD-7 er på vej. Sporingsnummer: JJD0099"
    )


def test_the_threads_system_message_stays_english_for_the_team(
    swedish_store, staff_user, twilio, django_capture_on_commit_callbacks
):
    order = OrderFactory(
        store=swedish_store,
        customer=customer_in(swedish_store, language="nb"),
        status=S.CONFIRMED,
    )

    ship(order, staff_user, django_capture_on_commit_callbacks)

    system = Message.objects.get(
        thread__order=order, direction=Message.Direction.SYSTEM
    )
    assert system.body == "Status changed from Confirmed to Shipped."


def test_the_tracking_notification_speaks_the_customers_language(swedish_store):
    """The Orders view's "Send notification" (and its preview) writes to the
    customer in their language too; the team's own pages stay English."""
    order = OrderFactory(
        store=swedish_store,
        customer=customer_in(swedish_store, language="nb"),
        order_number="ORD-55",
        status=S.SHIPPED,
        tracking_number="JJD0099",
        tracking_status=T.OUT_FOR_DELIVERY,
    )

    notification = order_tracking_notification(order=order, actor=None)

    assert notification.subject == "Ordren din ORD-55 er ute for levering"
    assert "Status: Ute for levering" in notification.body
    assert "Sporingsnummer: JJD0099" in notification.body
    assert S.SHIPPED.label == "Shipped"  # outside the notice: English again


def test_an_english_store_without_a_choice_stays_english(
    store, staff_user, twilio, django_capture_on_commit_callbacks
):
    order = OrderFactory(
        store=store,
        customer=customer_in(store),
        order_number="ORD-1",
        status=S.CONFIRMED,
    )

    sent = ship(order, staff_user, django_capture_on_commit_callbacks)

    assert sent[Channel.EMAIL].subject == "Your order ORD-1 is on its way"
    assert sent[Channel.EMAIL].body.startswith("Hello Anna Svensson,")
