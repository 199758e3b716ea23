import hashlib
import hmac
import json

import pytest
from django.urls import reverse

from messaging.models import Message
from performile import outbox
from performile.models import InboundDelivery, OutboxMessage
from tests.factories import CustomerFactory, OrderFactory
from tests.inbound import outcome

pytestmark = pytest.mark.django_db

APP_SECRET = "whatsapp-app-secret"
VERIFY_TOKEN = "verify-me"
PHONE_NUMBER_ID = "106540352242922"


@pytest.fixture(autouse=True)
def whatsapp_settings(settings):
    settings.WHATSAPP_APP_SECRET = APP_SECRET
    settings.WHATSAPP_VERIFY_TOKEN = VERIFY_TOKEN


@pytest.fixture
def order(store):
    store.whatsapp_phone_number_id = PHONE_NUMBER_ID
    store.save(update_fields=["whatsapp_phone_number_id"])
    customer = CustomerFactory(merchant=store.merchant, phone="+46701234567")
    return OrderFactory(store=store, customer=customer, order_number="ORD-10042")


def text_message(wamid="wamid.HBgM1", body="Where is my order?", **extra):
    return {
        "from": "46701234567",
        "id": wamid,
        "timestamp": "1763800000",
        "type": "text",
        "text": {"body": body},
        **extra,
    }


def envelope(*, messages=(), statuses=()):
    value = {
        "messaging_product": "whatsapp",
        "metadata": {
            "display_phone_number": "46700000002",
            "phone_number_id": PHONE_NUMBER_ID,
        },
    }
    if messages:
        value["contacts"] = [
            {"profile": {"name": "Anna Svensson"}, "wa_id": "46701234567"}
        ]
        value["messages"] = list(messages)
    if statuses:
        value["statuses"] = list(statuses)
    return {
        "object": "whatsapp_business_account",
        "entry": [{"id": "WABA-1", "changes": [{"field": "messages", "value": value}]}],
    }


def post(client, payload, *, secret=APP_SECRET, body=None):
    body = json.dumps(payload).encode() if body is None else body
    signature = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return client.post(
        reverse("webhook-whatsapp"),
        body,
        content_type="application/json",
        HTTP_X_HUB_SIGNATURE_256=f"sha256={signature}",
    )


# --- Handshake ----------------------------------------------------------------------


def test_the_handshake_answers_the_challenge_for_our_verify_token(client):
    response = client.get(
        reverse("webhook-whatsapp"),
        {
            "hub.mode": "subscribe",
            "hub.verify_token": VERIFY_TOKEN,
            "hub.challenge": "1158201444",
        },
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    assert response.content == b"1158201444"


@pytest.mark.parametrize(
    ("mode", "token"), [("subscribe", "guessed"), ("unsubscribe", VERIFY_TOKEN)]
)
def test_the_handshake_is_refused_with_a_wrong_token_or_mode(client, mode, token):
    response = client.get(
        reverse("webhook-whatsapp"),
        {"hub.mode": mode, "hub.verify_token": token, "hub.challenge": "1158201444"},
    )
    assert response.status_code == 403
    assert b"1158201444" not in response.content


def test_the_handshake_is_refused_while_no_verify_token_is_set(client, settings):
    settings.WHATSAPP_VERIFY_TOKEN = ""
    response = client.get(
        reverse("webhook-whatsapp"),
        {"hub.mode": "subscribe", "hub.verify_token": "", "hub.challenge": "1"},
    )
    assert response.status_code == 403


# --- Messages -----------------------------------------------------------------------


def test_a_signed_message_lands_in_the_senders_order_thread(client, order):
    """Sent to the store's WhatsApp line by the customer's number (wa_id without
    +): their most recent open order."""
    response = post(client, envelope(messages=[text_message()]))
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "accepted"
    assert outcome(response) == {
        "status": "applied",
        "messages": 1,
        "statuses": 0,
        "duplicates": 0,
    }
    message = Message.objects.get()
    assert message.thread.order == order
    assert message.channel == Message.Channel.WHATSAPP
    assert message.body == "Where is my order?"
    assert message.sender == "+46701234567"
    assert message.recipient == PHONE_NUMBER_ID
    assert message.provider_message_id == "wamid.HBgM1"
    assert message.author_customer == order.customer
    assert message.headers["profile_name"] == "Anna Svensson"


def test_a_message_with_a_bad_signature_is_refused_and_not_kept(client, order):
    response = post(client, envelope(messages=[text_message()]), secret="wrong")
    assert response.status_code == 401
    assert not Message.objects.exists()
    assert not InboundDelivery.objects.exists()


def test_messages_are_refused_while_no_app_secret_is_set(client, order, settings):
    settings.WHATSAPP_APP_SECRET = ""
    response = post(client, envelope(messages=[text_message()]), secret="")
    assert response.status_code == 401
    assert not Message.objects.exists()


def test_a_retried_batch_only_adds_what_is_new(client, order):
    """Each message is its own delivery: a batch sent again with one more message
    adds only that one."""
    post(client, envelope(messages=[text_message()]))
    response = post(
        client,
        envelope(messages=[text_message(), text_message("wamid.HBgM2", "Hello?")]),
    )
    assert response.status_code == 200
    assert outcome(response) == {
        "status": "applied",
        "messages": 1,
        "statuses": 0,
        "duplicates": 1,
    }
    assert list(Message.objects.values_list("body", flat=True)) == [
        "Where is my order?",
        "Hello?",
    ]


def test_the_same_delivery_twice_is_one_message(client, order):
    payload = envelope(messages=[text_message()])
    post(client, payload)
    response = post(client, payload)
    assert response.status_code == 200
    assert outcome(response) == {"status": "duplicate"}
    assert Message.objects.count() == 1


def test_an_image_is_described_with_its_caption_and_not_downloaded(client, order):
    image = {
        "from": "46701234567",
        "id": "wamid.IMG",
        "timestamp": "1763800000",
        "type": "image",
        "image": {
            "caption": "The box arrived broken",
            "mime_type": "image/jpeg",
            "sha256": "abc",
            "id": "MEDIA-1",
        },
    }
    post(client, envelope(messages=[image]))
    message = Message.objects.get()
    assert message.body == "[image] The box arrived broken"
    assert message.headers["media_id"] == "MEDIA-1"
    assert not message.attachments.exists()


@pytest.mark.parametrize(
    ("payload", "complaint"),
    [
        ({"object": "page", "entry": []}, "'object'"),
        ({"object": "whatsapp_business_account", "entry": {}}, "'entry'"),
        (
            envelope(messages=[{"from": "46701234567", "type": "text"}]),
            "messages[0].id",
        ),
    ],
)
def test_a_malformed_payload_is_a_400_saying_what_is_wrong(
    client, order, payload, complaint
):
    response = post(client, payload)
    assert response.status_code == 400
    assert complaint in response.json()["error"]["message"]
    assert not Message.objects.exists()


def test_a_body_that_is_not_json_is_a_400(client, order):
    response = post(client, None, body=b"{not json")
    assert response.status_code == 400
    assert "JSON" in response.json()["error"]["message"]


# --- Statuses ----------------------------------------------------------------------


@pytest.fixture
def sent_reply(order):
    delivery = outbox.enqueue(
        channel=OutboxMessage.Channel.WHATSAPP,
        recipient="+46701234567",
        body="It shipped yesterday.",
        order_id=order.pk,
    )
    OutboxMessage.objects.filter(pk=delivery.pk).update(
        status=OutboxMessage.Status.SENT, provider_message_id="wamid.OUT1"
    )
    return delivery


def status(state, wamid="wamid.OUT1", **extra):
    return {
        "id": wamid,
        "status": state,
        "timestamp": "1763800100",
        "recipient_id": "46701234567",
        **extra,
    }


def test_statuses_move_our_message_to_delivered_then_read(client, sent_reply):
    post(client, envelope(statuses=[status("delivered")]))
    sent_reply.refresh_from_db()
    assert sent_reply.status == OutboxMessage.Status.DELIVERED
    response = post(client, envelope(statuses=[status("read")]))
    assert outcome(response) == {
        "status": "applied",
        "messages": 0,
        "statuses": 1,
        "duplicates": 0,
    }
    sent_reply.refresh_from_db()
    assert sent_reply.status == OutboxMessage.Status.READ


def test_a_late_delivered_status_never_moves_a_read_message_back(client, sent_reply):
    """Meta's callbacks arrive out of order: read, then delivered."""
    post(client, envelope(statuses=[status("read"), status("delivered")]))
    sent_reply.refresh_from_db()
    assert sent_reply.status == OutboxMessage.Status.READ


def test_a_failed_status_records_the_reason(client, sent_reply):
    failure = status(
        "failed",
        errors=[
            {
                "code": 131047,
                "title": "Re-engagement message",
                "error_data": {"details": "More than 24 hours have passed."},
            }
        ],
    )
    post(client, envelope(statuses=[failure]))
    sent_reply.refresh_from_db()
    assert sent_reply.status == OutboxMessage.Status.FAILED
    assert "131047" in sent_reply.last_error
    assert "24 hours" in sent_reply.last_error


def test_a_status_for_a_message_we_do_not_know_is_acknowledged(client, sent_reply):
    response = post(client, envelope(statuses=[status("delivered", "wamid.OTHER")]))
    assert response.status_code == 200
    sent_reply.refresh_from_db()
    assert sent_reply.status == OutboxMessage.Status.SENT
