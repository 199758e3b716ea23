"""Replies go out through the outbox on the channel the customer last used:
WhatsApp Cloud API and Twilio (local HTTP servers speaking their formats) and
email (Django's locmem backend). The message never changes; its delivery moves."""

from datetime import timedelta

import pytest
import time_machine
from django.forms.models import model_to_dict
from django.utils import timezone

from messaging import services
from messaging.models import Message
from messaging.services.outgoing import auto_channel, reply_channels
from performile import outbox
from performile.errors import ApplicationError
from performile.models import OutboxMessage
from tests.factories import OrderFactory

pytestmark = pytest.mark.django_db
Status = OutboxMessage.Status
PHONE = "+46701234567"
WAMID = "wamid.HBgLNDY3MDEyMzQ1NjcVAgARGBI5QTNDQTVCM0Q0Q0Q2RTY3RTcA"
GRAPH_MESSAGES = "/v21.0/1100200300/messages"
TWILIO_MESSAGES = "/2010-04-01/Accounts/AC-test/Messages.json"


@pytest.fixture
def order(store, customer):
    customer.phone = PHONE
    customer.save()
    return OrderFactory(store=store, customer=customer, order_number="ORD-10042")


@pytest.fixture
def whatsapp(settings, httpserver):
    settings.WHATSAPP_API_BASE = httpserver.url_for("/v21.0")
    settings.WHATSAPP_ACCESS_TOKEN = "graph-token"
    settings.WHATSAPP_PHONE_NUMBER_ID = "1100200300"
    return httpserver


def graph_error(code, message, subcode=None):
    return {
        "error": {
            "message": message,
            "type": "OAuthException",
            "code": code,
            "error_subcode": subcode,
            "fbtrace_id": "AbCdEf123",
        }
    }


def whatsapp_accepted(to="46701234567"):
    return {
        "messaging_product": "whatsapp",
        "contacts": [{"input": to, "wa_id": to}],
        "messages": [{"id": WAMID}],
    }


def customer_writes(channel, sender, **extra):
    return services.message_receive(
        channel=channel, sender=sender, body="Where is ORD-10042?", **extra
    )


def reply(order, staff_user, body="It ships tomorrow."):
    return services.message_reply(order=order, actor=staff_user, body=body)


def test_a_whatsapp_reply_goes_out_through_the_cloud_api(order, staff_user, whatsapp):
    """A customer who wrote on WhatsApp gets the reply there: the Graph API is
    called with the bearer token and a text message, and the wamid is kept."""
    customer_writes(Message.Channel.WHATSAPP, "46701234567", provider_message_id="w1")
    whatsapp.expect_oneshot_request(
        GRAPH_MESSAGES,
        method="POST",
        headers={"Authorization": "Bearer graph-token"},
        json={
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": "46701234567",
            "type": "text",
            "text": {"body": "It ships tomorrow.", "preview_url": False},
        },
    ).respond_with_json(whatsapp_accepted())
    message = reply(order, staff_user)
    assert message.channel == Message.Channel.WHATSAPP

    delivery = outbox.deliver(message.delivery_id)

    whatsapp.check_assertions()
    assert (delivery.status, delivery.provider_message_id) == (Status.SENT, WAMID)


def test_whatsapp_sends_from_the_stores_own_number(order, store, staff_user, whatsapp):
    """A store with its own WhatsApp number answers from it."""
    store.whatsapp_phone_number_id = "999888777"
    store.save()
    customer_writes(Message.Channel.WHATSAPP, "46701234567")
    whatsapp.expect_oneshot_request(
        "/v21.0/999888777/messages", method="POST"
    ).respond_with_json(whatsapp_accepted())

    delivery = outbox.deliver(reply(order, staff_user).delivery_id)

    whatsapp.check_assertions()
    assert delivery.status == Status.SENT


def test_an_sms_reply_goes_out_through_twilio(order, staff_user, twilio_server):
    """A customer who texted gets a text back from the platform's Twilio number."""
    customer_writes(Message.Channel.SMS, PHONE, provider_message_id="SM1")
    twilio_server.expect_oneshot_request(
        TWILIO_MESSAGES,
        method="POST",
        data="To=%2B46701234567&From=%2B46700000001&Body=It+ships+tomorrow.",
    ).respond_with_json({"sid": "SM900", "status": "queued"}, status=201)
    message = reply(order, staff_user)
    assert message.channel == Message.Channel.SMS

    delivery = outbox.deliver(message.delivery_id)

    twilio_server.check_assertions()
    assert (delivery.status, delivery.provider_message_id) == (Status.SENT, "SM900")


def test_an_email_reply_is_threaded(order, staff_user, customer, mailoutbox):
    """A customer who emailed gets an email that answers theirs (In-Reply-To,
    References) and names the thread in its Message-ID."""
    inbound = customer_writes(
        Message.Channel.EMAIL,
        customer.email,
        subject="ORD-10042",
        provider_message_id="<q1@mail.example>",
        headers={"References": "<q0@mail.example>"},
    )
    message = reply(order, staff_user)

    delivery = outbox.deliver(message.delivery_id)

    assert delivery.status == Status.SENT
    (email,) = mailoutbox
    assert email.to == [customer.email]
    assert email.subject == "Re: ORD-10042"
    assert email.extra_headers["In-Reply-To"] == "<q1@mail.example>"
    assert email.extra_headers["References"] == "<q0@mail.example> <q1@mail.example>"
    assert email.extra_headers["Message-ID"].startswith(f"<t-{inbound.thread.token}.")
    assert delivery.provider_message_id == email.extra_headers["Message-ID"]


@pytest.mark.parametrize(
    ("path", "error", "provider_id"),
    [
        (GRAPH_MESSAGES, graph_error(2, "Service temporarily unavailable"), WAMID),
        (TWILIO_MESSAGES, {"code": 20500, "message": "Internal error"}, "SM901"),
    ],
    ids=["whatsapp", "sms"],
)
def test_a_provider_that_is_down_delays_the_reply_and_a_retry_sends_it(
    order, staff_user, whatsapp, twilio_server, httpserver, path, error, provider_id
):
    """503: the delivery stays queued with one attempt and a retry time; the next
    attempt sends it. The message itself never changes."""
    channel = Message.Channel.WHATSAPP if path == GRAPH_MESSAGES else "sms"
    customer_writes(channel, "46701234567" if channel == "whatsapp" else PHONE)
    message = reply(order, staff_user)
    before = model_to_dict(Message.objects.get(pk=message.pk))
    httpserver.expect_ordered_request(path, method="POST").respond_with_json(
        error, status=503
    )
    accepted = whatsapp_accepted() if path == GRAPH_MESSAGES else {"sid": "SM901"}
    httpserver.expect_ordered_request(path, method="POST").respond_with_json(accepted)

    delivery = outbox.deliver(message.delivery_id)

    assert (delivery.status, delivery.attempts) == (Status.QUEUED, 1)
    assert delivery.next_attempt_at > timezone.now()
    assert "503" in delivery.last_error
    assert outbox.deliver(message.delivery_id) is None  # not due yet
    with time_machine.travel(timezone.now() + timedelta(minutes=1)):
        delivery = outbox.deliver(message.delivery_id)
    assert (delivery.status, delivery.attempts) == (Status.SENT, 2)
    assert delivery.provider_message_id == provider_id
    assert delivery.last_error == ""
    assert model_to_dict(Message.objects.get(pk=message.pk)) == before


@pytest.mark.parametrize(
    ("status", "error", "expected", "says"),
    [
        (
            400,
            graph_error(131047, "Re-engagement message"),
            Status.FAILED,
            "more than 24 hours",
        ),
        (
            400,
            graph_error(100, "Invalid parameter", subcode=2494010),
            Status.FAILED,
            "Invalid parameter (error 100/2494010)",
        ),
        (400, graph_error(130429, "Rate limit hit"), Status.QUEUED, "Rate limit hit"),
        (429, graph_error(80007, "Rate limit issues"), Status.QUEUED, "80007"),
    ],
    ids=["re-engagement", "bad-request", "throughput", "too-many"],
)
def test_whatsapp_errors_fail_or_retry(
    order, staff_user, whatsapp, status, error, expected, says
):
    """A refusal fails the delivery with the Graph API's reason; rate limits are
    tried again later."""
    customer_writes(Message.Channel.WHATSAPP, "46701234567")
    whatsapp.expect_oneshot_request(GRAPH_MESSAGES, method="POST").respond_with_json(
        error, status=status
    )

    delivery = outbox.deliver(reply(order, staff_user).delivery_id)

    assert delivery.status == expected
    assert says in delivery.last_error
    assert "AbCdEf123" in delivery.last_error


def test_a_refused_sms_fails_with_twilios_reason(order, staff_user, twilio_server):
    """Twilio's 400 (an invalid number) fails the delivery for good."""
    customer_writes(Message.Channel.SMS, PHONE)
    twilio_server.expect_oneshot_request(TWILIO_MESSAGES).respond_with_json(
        {"code": 21211, "message": "The 'To' number is not valid."}, status=400
    )

    delivery = outbox.deliver(reply(order, staff_user).delivery_id)

    assert delivery.status == Status.FAILED
    assert delivery.last_error == (
        "Twilio refused the message (400): The 'To' number is not valid. (error 21211)"
    )
    assert delivery.next_attempt_at is None


def test_whatsapp_is_not_offered_when_it_is_not_configured(order, staff_user):
    """Without an access token WhatsApp is not offered, and says why; a reply
    asked to go by it is refused before it is written; Auto, though the customer
    last wrote on WhatsApp, goes by a channel that works (the portal: they sign
    in)."""
    customer_writes(Message.Channel.WHATSAPP, "46701234567")
    order.refresh_from_db()
    thread = order.thread
    offered = {o.channel: o.unavailable for o in reply_channels(order, thread)}
    assert offered[Message.Channel.WHATSAPP] == "not set up on this platform"
    assert offered[Message.Channel.IN_APP] == ""
    with pytest.raises(ApplicationError, match="WhatsApp is not set up"):
        services.message_reply(
            order=order, actor=staff_user, body="Hi", channel="whatsapp"
        )
    assert not Message.objects.filter(direction=Message.Direction.OUTBOUND).exists()
    assert auto_channel(order, thread) == Message.Channel.IN_APP
    assert reply(order, staff_user).channel == Message.Channel.IN_APP


def test_auto_goes_by_the_customers_channel_when_it_works(order, staff_user, whatsapp):
    customer_writes(Message.Channel.WHATSAPP, "46701234567")
    order.refresh_from_db()
    assert auto_channel(order, order.thread) == Message.Channel.WHATSAPP


def test_a_channel_without_an_address_for_the_customer_is_not_offered(
    store, staff_user, twilio_server
):
    """SMS works on this platform, but this customer has no number (and never
    texted): not offered, and the composer says why."""
    nobody = OrderFactory(store=store, customer=None)
    offered = {o.channel: o.unavailable for o in reply_channels(nobody, None)}
    assert offered[Message.Channel.SMS] == "no address or number for this customer"
    assert auto_channel(nobody, None) == Message.Channel.IN_APP
