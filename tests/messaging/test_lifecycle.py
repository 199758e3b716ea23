"""Order lifecycle in the thread: status changes, bookings and tracking milestones
add a system message and notify the customer as they chose, once per piece of
news. The real services send the signals (after commit)."""

from datetime import datetime, timedelta

import pytest
import time_machine
from django.utils import timezone

from messaging import services as messaging_services
from messaging.models import Message, NotificationPreference
from orders.services import order_change_status
from orders.state_machine import OrderStatus as S
from orders.tracking import TrackingStatus as T
from performile.models import OutboxMessage
from shipments.couriers.base import TrackingEvent, TrackingUpdate
from shipments.services import shipment_apply_update, shipment_book, shipment_defaults
from tests.factories import OrderFactory
from tests.shipments.conftest import (  # noqa: F401  (fixtures)
    sandbox_api_key,
    sandbox_courier,
    sandbox_process,
)
from tests.shipments.factories import ADDRESS as SWEDISH_ADDRESS
from tests.shipments.factories import CourierAccountFactory, ShipmentFactory

pytestmark = pytest.mark.django_db
Channel = OutboxMessage.Channel
PHONE = "+46701234567"
ADDRESS = {**SWEDISH_ADDRESS, "phone": PHONE}


@pytest.fixture
def order(store, customer):
    customer.phone = PHONE
    customer.save()
    return OrderFactory(
        store=store, customer=customer, order_number="ORD-10042", status=S.PENDING
    )


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run a service as if its request finished: the signals fire after commit."""

    def run(service, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return service(**kwargs)

    return run


@pytest.fixture
def whatsapp_ready(settings):
    settings.WHATSAPP_ACCESS_TOKEN = "graph-token"
    settings.WHATSAPP_PHONE_NUMBER_ID = "1100200300"


def system_messages(order):
    return list(
        Message.objects.filter(
            thread__order=order, direction=Message.Direction.SYSTEM
        ).values_list("body", flat=True)
    )


def notifications(order):
    return list(
        OutboxMessage.objects.filter(order_id=order.pk)
        .order_by("pk")
        .values_list("channel", "recipient", "subject")
    )


def prefer(customer, **choices):
    NotificationPreference.objects.create(customer=customer, **choices)


def test_a_status_change_is_told_in_the_thread_and_by_email(
    order, customer, staff_user, committed
):
    """With no saved preference, the customer gets an email that threads into the
    order's conversation, and the thread says what changed."""
    committed(order_change_status, order=order, to=S.CONFIRMED, actor=staff_user)

    assert system_messages(order) == ["Status changed from Pending to Confirmed."]
    assert notifications(order) == [
        (Channel.EMAIL, customer.email, "Your order ORD-10042 is confirmed")
    ]
    email = OutboxMessage.objects.get()
    assert f"Your order ORD-10042 from {order.store.name} is confirmed." in email.body
    assert email.headers["Message-ID"].startswith(f"<t-{order.thread.token}.")


def test_the_note_of_a_status_change_stays_on_the_timeline(
    order, staff_user, committed
):
    """Staff notes are written for the order's timeline, not for the customer."""
    committed(
        order_change_status,
        order=order,
        to=S.CANCELLED,
        actor=staff_user,
        note="Suspected fraud",
    )

    assert system_messages(order) == ["Status changed from Pending to Cancelled."]
    assert "fraud" not in OutboxMessage.objects.get().body.lower()


def test_sms_and_whatsapp_go_where_the_customer_chose(
    order, customer, staff_user, committed, twilio, whatsapp_ready
):
    """SMS and WhatsApp (the customer wrote on WhatsApp today) instead of email."""
    prefer(customer, email=False, sms=True, whatsapp=True)
    messaging_services.message_receive(
        channel=Message.Channel.WHATSAPP, sender="46701234567", body="Hej!"
    )
    committed(order_change_status, order=order, to=S.CONFIRMED, actor=staff_user)

    assert notifications(order) == [
        (Channel.SMS, PHONE, ""),
        (Channel.WHATSAPP, PHONE, ""),
    ]
    text = OutboxMessage.objects.filter(channel=Channel.SMS).get().body
    assert text == f"{order.store.name}: Your order ORD-10042 is confirmed."


def test_whatsapp_outside_its_24_hour_window_falls_back_to_email(
    order, customer, staff_user, committed, whatsapp_ready
):
    """WhatsApp only carries free text within 24 h of the customer's last message;
    after that a WhatsApp-only customer is emailed instead."""
    prefer(customer, email=False, whatsapp=True)
    messaging_services.message_receive(
        channel=Message.Channel.WHATSAPP, sender="46701234567", body="Hej!"
    )
    with time_machine.travel(timezone.now() + timedelta(hours=25)):
        committed(order_change_status, order=order, to=S.CONFIRMED, actor=staff_user)

    assert [row[0] for row in notifications(order)] == [Channel.EMAIL]


def test_a_customer_without_email_gets_a_text(
    order, customer, staff_user, committed, twilio
):
    """Email by default, but with no address the text message is the way."""
    customer.email = ""
    customer.save()
    committed(order_change_status, order=order, to=S.CONFIRMED, actor=staff_user)

    assert notifications(order) == [(Channel.SMS, PHONE, "")]


@pytest.mark.parametrize(
    "choices",
    [{"order_updates": False}, {"email": False, "sms": False, "whatsapp": False}],
    ids=["order-updates-off", "every-channel-off"],
)
def test_a_customer_who_opted_out_is_not_notified(
    order, customer, staff_user, committed, choices
):
    """The thread still records the change."""
    prefer(customer, **choices)
    committed(order_change_status, order=order, to=S.CONFIRMED, actor=staff_user)

    assert system_messages(order) == ["Status changed from Pending to Confirmed."]
    assert notifications(order) == []


def test_back_from_on_hold_is_not_news(order, staff_user, committed):
    """Confirmed, on hold, confirmed again: one notification; every step is in
    the thread."""
    for status in (S.CONFIRMED, S.ON_HOLD, S.CONFIRMED):
        committed(order_change_status, order=order, to=status, actor=staff_user)

    assert len(system_messages(order)) == 3
    assert [row[2] for row in notifications(order)] == [
        "Your order ORD-10042 is confirmed"
    ]


def test_shipped_by_hand_tells_the_tracking_number(order, staff_user, committed):
    """Without a shipment booked here, the status change itself says it ships."""
    order.tracking_number = "JJD0099"
    order.save()
    committed(order_change_status, order=order, to=S.SHIPPED, actor=staff_user)

    email = OutboxMessage.objects.get()
    assert email.subject == "Your order ORD-10042 is on its way"
    assert "Tracking number: JJD0099" in email.body


@pytest.fixture
def account(store, sandbox_courier, sandbox_api_key):  # noqa: F811
    store.pickup_address = {**ADDRESS, "name": "Warehouse", "city": "Solna"}
    store.save()
    return CourierAccountFactory(
        merchant=store.merchant,
        name="Sandbox Post",
        base_url=sandbox_courier,
        api_key=sandbox_api_key,
    )


def test_a_booking_confirms_the_order_with_one_notification(
    order, account, staff_user, committed
):
    """The booking (which also confirms the order) is told once, by the booking's
    notification; the thread shows both the status change and the booking."""
    order.status = S.PAYMENT_VERIFIED
    order.delivery_address = ADDRESS
    order.package = {"weight_kg": "1.5", "length_cm": "30", "width_cm": "20"}
    order.save()
    shipment, _ = committed(
        shipment_book,
        order=order,
        account=account,
        service_code="SBX_HOME",
        service_type="home_delivery",
        actor=staff_user,
        **shipment_defaults(order),
    )

    number = shipment.tracking_number
    assert system_messages(order) == [
        "Status changed from Payment verified to Confirmed.",
        f"Shipment booked with Sandbox Post, tracking {number}.",
    ]
    assert [row[2] for row in notifications(order)] == [
        "Your order ORD-10042 is booked with Sandbox Post"
    ]
    assert f"Tracking number: {number}" in OutboxMessage.objects.get().body


def at(hours: float) -> datetime:
    return datetime.fromisoformat("2026-11-20T08:00:00+00:00") + timedelta(hours=hours)


@pytest.fixture
def shipment(order):
    order.status = S.CONFIRMED
    order.tracking_number = "SBX1"
    order.save()
    return ShipmentFactory(order=order, tracking_number="SBX1")


def track(committed, shipment, status, code, hours, description=""):
    event = TrackingEvent(
        status=status,
        raw_code=code,
        occurred_at=at(hours),
        description=description,
        location="Stockholm" if description else "",
    )
    update = TrackingUpdate(tracking_number="SBX1", events=(event,))
    # The scan arrives when it happened: hours apart, as couriers report them
    # (notices within minutes of each other would become one message).
    arrives = timezone.now() + timedelta(hours=hours, minutes=1)
    with time_machine.travel(arrives, tick=False):
        committed(
            shipment_apply_update, shipment=shipment, update=update, source="poll"
        )


def test_tracking_milestones_are_told_once_each(order, shipment, committed):
    """In transit (which ships the order), out for delivery, delivered (which
    delivers it): three notifications, not five."""
    track(committed, shipment, T.IN_TRANSIT, "PICKED_UP", 1, "Picked up")
    track(committed, shipment, T.OUT_FOR_DELIVERY, "OUT", 20, "With the driver")
    track(committed, shipment, T.DELIVERED, "DELIVERED", 22, "Delivered")

    assert system_messages(order) == [
        "Status changed from Confirmed to Shipped.",
        "In transit: Picked up · Stockholm",
        "Out for delivery: With the driver · Stockholm",
        "Status changed from Shipped to Delivered.",
        "Delivered: Delivered · Stockholm",
    ]
    assert [row[2] for row in notifications(order)] == [
        "Your order ORD-10042 is on its way",
        "Your order ORD-10042 is out for delivery",
        "Your order ORD-10042 has been delivered",
    ]


def test_tracking_noise_is_left_out(order, shipment, committed):
    """Info received says nothing new; in transit again after a failed attempt
    is not a second "on its way"."""
    track(committed, shipment, T.INFO_RECEIVED, "INFO", 0)
    track(committed, shipment, T.IN_TRANSIT, "PICKED_UP", 1)
    track(committed, shipment, T.ATTEMPT_FAILED, "NOT_HOME", 20)
    track(committed, shipment, T.IN_TRANSIT, "BACK_TO_DEPOT", 21)

    assert system_messages(order) == [
        "Status changed from Confirmed to Shipped.",
        "In transit.",
        "Delivery attempt failed.",
    ]
    assert [row[2] for row in notifications(order)] == [
        "Your order ORD-10042 is on its way",
        "We could not deliver your order ORD-10042",
    ]


def test_shipping_updates_can_be_turned_off(order, customer, shipment, committed):
    """A customer who wants only order updates hears nothing of the parcel."""
    prefer(customer, shipping_updates=False)
    track(committed, shipment, T.OUT_FOR_DELIVERY, "OUT", 20)

    assert "Out for delivery." in system_messages(order)
    assert notifications(order) == []
