"""A customer who asks where their order is gets its live status at once, on the
channel they asked on (messaging.services.auto_answers), unless the store turned
it off or a person answered in the last hour; what the answer cannot settle still
waits for staff. Twilio is a local HTTP server speaking its Messages API."""

import datetime as dt
from urllib.parse import parse_qs

import pytest
import time_machine
from django.utils import timezone

from messaging import services
from messaging.models import Message, SupportNotification, SupportSettings, Thread
from orders.tracking import TrackingStatus
from performile import outbox
from performile.models import AuditEvent, OutboxMessage
from tests.factories import CustomerFactory, OrderFactory

pytestmark = pytest.mark.django_db
PHONE = "+46701234567"
TWILIO_MESSAGES = "/2010-04-01/Accounts/AC-test/Messages.json"


@pytest.fixture
def order(store, twilio_server):
    store.name = "Nordic Goods"
    store.save(update_fields=["name"])
    customer = CustomerFactory(merchant=store.merchant, name="Anna", phone=PHONE)
    return OrderFactory(
        store=store,
        customer=customer,
        order_number="ORD-10042",
        status="shipped",
        tracking_number="00370712345678901234",
        courier="PostNord",
        tracking_status=TrackingStatus.IN_TRANSIT,
        tracking_event="Departed the sorting terminal in Malmö",
        tracking_event_at=dt.datetime(2026, 12, 6, 17, 5, tzinfo=dt.UTC),
        tracking_url="https://track.example/00370712345678901234",
        estimated_delivery=dt.date(2026, 12, 9),
    )


def texts(body, sender=PHONE, sid="SM1"):
    return services.message_receive(
        channel=Message.Channel.SMS,
        sender=sender,
        recipient="+46700000001",
        body=body,
        provider_message_id=sid,
    )


def automatic(order):
    return list(Message.objects.filter(thread__order=order, automatic=True))


def test_where_is_my_parcel_by_sms_is_answered_at_once_with_the_live_status(
    order, twilio_server
):
    question = texts("Hi! Where is my parcel?")

    [answer] = automatic(order)
    assert answer.channel == Message.Channel.SMS
    assert answer.direction == Message.Direction.OUTBOUND
    assert answer.author_user is None
    assert answer.author_name == "Automatic answer"
    assert answer.recipient == PHONE
    assert answer.pk > question.pk
    assert "Your order ORD-10042 from Nordic Goods is on its way." in answer.body
    assert "Departed the sorting terminal in Malmö (6 Dec, 18:05)" in answer.body
    assert "Expected delivery: Wednesday 9 December." in answer.body
    assert "https://track.example/00370712345678901234" in answer.body
    assert "automatic answer" in answer.body
    thread = Thread.objects.get(order=order)
    assert thread.awaiting_reply_since is None  # settled: nobody needs to answer
    assert thread.first_response_at is None  # a person's first answer is still due
    assert thread.auto_answered_at == answer.created_at
    assert not SupportNotification.objects.exists()  # nobody is called for it
    assert AuditEvent.objects.filter(action="message.auto_answered").exists()

    # The outbox sends it through Twilio, to the number that asked.
    twilio_server.expect_oneshot_request(
        TWILIO_MESSAGES, method="POST"
    ).respond_with_json({"sid": "SM900", "status": "queued"}, status=201)
    delivery = outbox.deliver(answer.delivery_id)
    twilio_server.check_assertions()
    [(request, _response)] = twilio_server.log
    sent = parse_qs(request.get_data(as_text=True))
    assert sent["To"] == [PHONE]
    assert sent["Body"] == [answer.body]
    assert delivery.status == OutboxMessage.Status.SENT


def test_a_message_that_does_not_ask_is_left_to_staff(order):
    texts("Thanks, the mug is lovely!")

    assert automatic(order) == []
    assert Thread.objects.get(order=order).awaiting_reply_since is not None


def test_a_store_that_turned_it_off_gets_no_automatic_answers(order, store):
    SupportSettings.objects.create(store=store, auto_answers=False)

    texts("Where is my order?")

    assert automatic(order) == []
    assert Thread.objects.get(order=order).awaiting_reply_since is not None


def test_no_automatic_answer_within_an_hour_of_a_persons_reply(order, staff_user):
    with time_machine.travel(dt.datetime(2026, 12, 7, 9, 0, tzinfo=dt.UTC)):
        texts("Hello", sid="SM1")
        services.message_reply(order=order, actor=staff_user, body="Hi Anna!")
    with time_machine.travel(dt.datetime(2026, 12, 7, 9, 50, tzinfo=dt.UTC)):
        texts("Where is my order?", sid="SM2")
        assert automatic(order) == []
    with time_machine.travel(dt.datetime(2026, 12, 7, 10, 5, tzinfo=dt.UTC)):
        texts("Where is my order now?", sid="SM3")
        assert len(automatic(order)) == 1


def test_one_automatic_answer_an_hour(order):
    texts("Where is my order?", sid="SM1")
    texts("Where is my order??", sid="SM2")

    assert len(automatic(order)) == 1
    # The second question is not settled by the first answer: staff see it.
    assert Thread.objects.get(order=order).awaiting_reply_since is not None


def test_an_unknown_sender_without_an_order_is_kept_for_staff(order):
    message = texts("Where is my order?", sender="+46709999999")

    assert message.thread is None  # unmatched, kept in the inbox
    assert not Message.objects.filter(automatic=True).exists()


def test_a_stranger_quoting_the_order_number_gets_no_answer(order):
    message = services.message_receive(
        channel=Message.Channel.EMAIL,
        sender="someone@else.example",
        body="Where is order ORD-10042?",
    )

    assert message.thread.order == order
    assert automatic(order) == []


def test_a_swedish_question_gets_a_swedish_answer(order):
    texts("Hej, var är mitt paket?")

    [answer] = automatic(order)
    assert answer.body.startswith("Hej Anna,")
    assert "Din order ORD-10042 från Nordic Goods är på väg." in answer.body
    assert "Beräknad leverans: onsdag 9 december." in answer.body
    assert "Det här är ett automatiskt svar." in answer.body


def test_a_question_with_more_in_it_is_answered_and_still_waits(order, staff_user):
    texts("Where is my order? Also I want to return the blue one.")

    assert len(automatic(order)) == 1
    assert Thread.objects.get(order=order).awaiting_reply_since is not None
    assert SupportNotification.objects.exists()


def test_an_order_in_trouble_is_answered_and_still_waits(order):
    order.tracking_status = TrackingStatus.EXCEPTION
    order.save(update_fields=["tracking_status"])

    texts("Where is my parcel?")

    [answer] = automatic(order)
    assert "has a delivery problem" in answer.body
    assert "Expected delivery" in answer.body
    assert Thread.objects.get(order=order).awaiting_reply_since is not None


def test_before_the_couriers_first_scan_the_orders_own_status_answers(order):
    order.status = "confirmed"
    order.tracking_number = ""
    order.tracking_status = ""
    order.save(update_fields=["status", "tracking_number", "tracking_status"])

    texts("When will my order arrive?")

    [answer] = automatic(order)
    assert "is confirmed and being packed" in answer.body
    assert "Latest update" not in answer.body


def test_a_channel_a_reply_cannot_go_by_gets_no_answer(order, settings):
    settings.TWILIO_ACCOUNT_SID = ""  # SMS not set up

    texts("Where is my order?")

    assert automatic(order) == []
    assert Thread.objects.get(order=order).awaiting_reply_since is not None


def test_a_portal_question_is_answered_in_the_portal(order, django_user_model):
    customer = order.customer
    customer.user = django_user_model.objects.create_user("anna", "anna@example.com")
    customer.save(update_fields=["user"])

    services.message_send_in_app(
        order=order, actor=customer.user, body="Where is my order?"
    )

    [answer] = automatic(order)
    assert answer.channel == Message.Channel.IN_APP
    assert answer.created_at <= timezone.now()
