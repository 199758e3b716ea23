import base64
import hashlib
import hmac
from urllib.parse import parse_qs

import pytest
from django.urls import reverse

from messaging.models import Message
from performile import outbox
from performile.models import InboundDelivery, OutboxMessage
from tests.conftest import TWILIO_MESSAGES_URL
from tests.factories import CustomerFactory, OrderFactory

pytestmark = pytest.mark.django_db

AUTH_TOKEN = "twilio-token"
EMPTY_TWIML = b'<?xml version="1.0" encoding="UTF-8"?><Response/>'
PUBLIC_BASE_URL = "https://performile.example"


@pytest.fixture(autouse=True)
def twilio_settings(settings):
    settings.TWILIO_AUTH_TOKEN = AUTH_TOKEN
    settings.PUBLIC_BASE_URL = PUBLIC_BASE_URL


@pytest.fixture
def order(store):
    store.sms_number = "+46700000001"
    store.save(update_fields=["sms_number"])
    customer = CustomerFactory(merchant=store.merchant, phone="+46701234567")
    return OrderFactory(store=store, customer=customer, order_number="ORD-10042")


def twilio_signature(url: str, params: dict, token: str = AUTH_TOKEN) -> str:
    """Twilio's documented algorithm, written out independently of ours."""
    signed = url + "".join(f"{name}{params[name]}" for name in sorted(params))
    digest = hmac.new(token.encode(), signed.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def inbound(**fields):
    params = {
        "MessageSid": "SM0123456789abcdef",
        "AccountSid": "AC-test",
        "From": "+46701234567",
        "To": "+46700000001",
        "Body": "Has ORD-10042 shipped?",
        "NumMedia": "0",
        "NumSegments": "1",
    }
    params.update(fields)
    return {name: value for name, value in params.items() if value is not None}


def post(client, name, params, *, token=AUTH_TOKEN, signed_url=None):
    path = reverse(name)
    signature = twilio_signature(signed_url or PUBLIC_BASE_URL + path, params, token)
    return client.post(path, params, HTTP_X_TWILIO_SIGNATURE=signature)


def test_a_signed_sms_lands_in_the_orders_thread_and_gets_empty_twiml(client, order):
    response = post(client, "webhook-twilio-sms", inbound())
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "text/xml"
    assert response.content == EMPTY_TWIML
    message = Message.objects.get()
    assert message.thread.order == order
    assert message.channel == Message.Channel.SMS
    assert (message.sender, message.recipient) == ("+46701234567", "+46700000001")
    assert message.provider_message_id == "SM0123456789abcdef"


def test_an_sms_from_a_known_number_without_order_number_finds_their_order(
    client, order
):
    post(client, "webhook-twilio-sms", inbound(Body="Hello, any news?"))
    assert Message.objects.get().thread.order == order


def test_the_url_as_the_request_saw_it_also_verifies(client, order):
    """Without a proxy in front, Twilio signs the URL this server sees."""
    params = inbound()
    response = post(
        client,
        "webhook-twilio-sms",
        params,
        signed_url="http://testserver" + reverse("webhook-twilio-sms"),
    )
    assert response.status_code == 200


def test_an_sms_with_a_bad_signature_is_refused_and_not_kept(client, order):
    response = post(client, "webhook-twilio-sms", inbound(), token="wrong")
    assert response.status_code == 401
    assert not Message.objects.exists()
    assert not InboundDelivery.objects.exists()


def test_a_parameter_changed_after_signing_is_refused(client, order):
    params = inbound()
    path = reverse("webhook-twilio-sms")
    signature = twilio_signature(PUBLIC_BASE_URL + path, params)
    response = client.post(
        path, {**params, "Body": "Refund me"}, HTTP_X_TWILIO_SIGNATURE=signature
    )
    assert response.status_code == 401
    assert not Message.objects.exists()


def test_sms_is_refused_while_no_auth_token_is_set(client, order, settings):
    settings.TWILIO_AUTH_TOKEN = ""
    response = post(client, "webhook-twilio-sms", inbound(), token="")
    assert response.status_code == 401
    assert not Message.objects.exists()


def test_a_repeated_message_sid_is_one_message_and_still_empty_twiml(client, order):
    post(client, "webhook-twilio-sms", inbound())
    response = post(client, "webhook-twilio-sms", inbound())
    assert response.status_code == 200
    assert response.content == EMPTY_TWIML
    assert Message.objects.count() == 1


def test_an_sms_without_a_sender_is_a_400(client, order):
    response = post(client, "webhook-twilio-sms", inbound(From=None))
    assert response.status_code == 400
    assert "'From'" in response.json()["error"]["message"]
    assert not Message.objects.exists()


def test_mms_media_urls_are_recorded_not_downloaded(client, order):
    url = "https://api.twilio.com/2010-04-01/Accounts/AC-test/Messages/SM1/Media/ME1"
    params = inbound(
        Body="The box is broken",
        NumMedia="1",
        MediaUrl0=url,
        MediaContentType0="image/jpeg",
    )
    post(client, "webhook-twilio-sms", params)
    message = Message.objects.get()
    assert message.body == f"The box is broken\n[media image/jpeg] {url}"
    assert message.headers["media"] == [{"url": url, "content_type": "image/jpeg"}]
    assert not message.attachments.exists()


# --- Status callbacks ------------------------------------------------------------------


@pytest.fixture
def sent_sms(order):
    delivery = outbox.enqueue(
        channel=OutboxMessage.Channel.SMS,
        recipient="+46701234567",
        body="It shipped yesterday.",
        order_id=order.pk,
    )
    OutboxMessage.objects.filter(pk=delivery.pk).update(
        status=OutboxMessage.Status.SENT, provider_message_id="SMout1"
    )
    return delivery


def status(message_status, **extra):
    return {
        "MessageSid": "SMout1",
        "AccountSid": "AC-test",
        "MessageStatus": message_status,
        **extra,
    }


def test_a_delivered_callback_marks_our_sms_delivered(client, sent_sms):
    response = post(client, "webhook-twilio-status", status("delivered"))
    assert response.status_code == 200
    assert response.content == EMPTY_TWIML
    sent_sms.refresh_from_db()
    assert sent_sms.status == OutboxMessage.Status.DELIVERED


def test_an_undelivered_callback_marks_our_sms_failed_with_the_code(client, sent_sms):
    post(client, "webhook-twilio-status", status("undelivered", ErrorCode="30005"))
    sent_sms.refresh_from_db()
    assert sent_sms.status == OutboxMessage.Status.FAILED
    assert "30005" in sent_sms.last_error


def test_a_late_sent_callback_does_not_undo_delivered(client, sent_sms):
    post(client, "webhook-twilio-status", status("delivered"))
    post(client, "webhook-twilio-status", status("sent"))
    sent_sms.refresh_from_db()
    assert sent_sms.status == OutboxMessage.Status.DELIVERED


def test_a_status_callback_with_a_bad_signature_changes_nothing(client, sent_sms):
    response = post(client, "webhook-twilio-status", status("failed"), token="x")
    assert response.status_code == 401
    sent_sms.refresh_from_db()
    assert sent_sms.status == OutboxMessage.Status.SENT


def test_a_status_callback_without_a_status_is_a_400(client, sent_sms):
    response = post(client, "webhook-twilio-status", {"MessageSid": "SMout1"})
    assert response.status_code == 400
    assert "MessageStatus" in response.json()["error"]["message"]


def test_our_sms_ask_twilio_for_status_callbacks_here(twilio, order, settings):
    """With a public https origin, each SMS we send names /webhooks/twilio/status
    as its StatusCallback."""
    twilio.post(TWILIO_MESSAGES_URL, json={"sid": "SMout2"}, status=201)
    delivery = outbox.enqueue(
        channel=OutboxMessage.Channel.SMS, recipient="+46701234567", body="Shipped."
    )
    outbox.deliver(delivery.pk)
    sent = parse_qs(twilio.calls[0].request.body)
    assert sent["StatusCallback"] == [f"{PUBLIC_BASE_URL}/webhooks/twilio/status"]


def test_a_nul_in_the_text_is_kept_visibly_and_the_message_is_not_lost(client, order):
    response = post(client, "webhook-twilio-sms", inbound(Body="Where\x00 is it?"))

    assert response.status_code == 200, response.content
    assert Message.objects.get().body == "Where\ufffd is it?"


def test_a_message_id_too_long_for_its_column_is_400_and_nothing_is_kept(client, order):
    response = post(client, "webhook-twilio-sms", inbound(MessageSid="S" * 256))

    assert response.status_code == 400, response.content
    assert "'sid' is longer than 255" in response.json()["error"]["message"]
    assert not Message.objects.exists()
    assert not InboundDelivery.objects.exists()
