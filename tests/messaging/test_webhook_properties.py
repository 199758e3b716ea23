"""No message a provider's endpoint is sent, correctly signed, reaches a 500 or
leaves a delivery failing: WhatsApp, Twilio's SMS and status callbacks, Mailgun's
forwards and raw MIME, from their documented samples changed at random
(tests/properties.py)."""

import hashlib
import hmac
import json
import uuid
from urllib.parse import urlencode

import pytest
from django.urls import reverse
from hypothesis import strategies as st

from tests.factories import CustomerFactory, OrderFactory
from tests.messaging.test_inbound_email import mailgun_form
from tests.messaging.test_inbound_sms import inbound as sms_sample
from tests.messaging.test_inbound_sms import status as sms_status_sample
from tests.messaging.test_inbound_sms import twilio_signature
from tests.messaging.test_inbound_whatsapp import envelope, text_message
from tests.properties import (
    any_json,
    any_text,
    assert_always_answered_well,
    mutated,
    mutated_form,
)

pytestmark = pytest.mark.django_db

WHATSAPP_SECRET = "whatsapp-app-secret"
TWILIO_TOKEN = "twilio-token"
PUBLIC_BASE_URL = "https://performile.example"
MAILGUN_KEY = "mailgun-signing-key"
MIME_SECRET = "mime-secret"


@pytest.fixture(autouse=True)
def providers(settings, store, tmp_path):
    settings.WHATSAPP_APP_SECRET = WHATSAPP_SECRET
    settings.TWILIO_AUTH_TOKEN = TWILIO_TOKEN
    settings.PUBLIC_BASE_URL = PUBLIC_BASE_URL
    settings.MAILGUN_SIGNING_KEY = MAILGUN_KEY
    settings.EMAIL_INBOUND_SECRET = MIME_SECRET
    settings.MEDIA_ROOT = str(tmp_path)
    store.whatsapp_phone_number_id = "106540352242922"
    store.sms_number = "+46700000001"
    store.support_email = "support@nordic.example"
    store.save()
    customer = CustomerFactory(
        merchant=store.merchant, phone="+46701234567", email="anna@customer.example"
    )
    OrderFactory(store=store, customer=customer, order_number="ORD-10042")


def encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


# A form field is text a browser or a provider could send: any text but lone
# surrogates (which no encoding carries).
form_text = any_text.filter(encodable)


@pytest.mark.parametrize("sample", ["changed", "any"])
def test_whatsapp_answers_without_a_server_error(client, sample):
    message = text_message(
        context={"from": "46700000002", "id": "wamid.prev"},
        image={"id": "img-1", "mime_type": "image/jpeg", "caption": "Broken"},
    )
    samples = envelope(
        messages=[message],
        statuses=[{"id": "wamid.out", "status": "read", "timestamp": "1763800001"}],
    )

    def send(payload):
        body = json.dumps(payload).encode()
        digest = hmac.new(WHATSAPP_SECRET.encode(), body, hashlib.sha256).hexdigest()
        return client.post(
            reverse("webhook-whatsapp"),
            body,
            content_type="application/json",
            HTTP_X_HUB_SIGNATURE_256=f"sha256={digest}",
        )

    examples = mutated(samples) if sample == "changed" else any_json
    assert_always_answered_well(examples, send)


TWILIO = {
    "webhook-twilio-sms": sms_sample(NumMedia="1", MediaUrl0="https://x/m.jpg"),
    "webhook-twilio-status": sms_status_sample("delivered", ErrorCode="30003"),
}


@pytest.mark.parametrize("name", list(TWILIO))
def test_twilio_answers_without_a_server_error(client, name):
    path = reverse(name)

    def send(params):
        signature = twilio_signature(PUBLIC_BASE_URL + path, params, TWILIO_TOKEN)
        return client.post(
            path,
            urlencode(params),
            content_type="application/x-www-form-urlencoded",
            HTTP_X_TWILIO_SIGNATURE=signature,
        )

    assert_always_answered_well(mutated_form(TWILIO[name], values=form_text), send)


def test_mailgun_answers_without_a_server_error(client):
    sample = mailgun_form()
    for signed in ("timestamp", "token", "signature"):
        del sample[signed]

    def send(fields):
        form = {**mailgun_form(token=uuid.uuid4().hex, **fields), **fields}
        return client.post(
            reverse("webhook-email-mailgun"),
            urlencode(form),
            content_type="application/x-www-form-urlencoded",
        )

    assert_always_answered_well(mutated_form(sample, values=form_text), send)


MIME_HEADERS = {
    "From": "Anna Svensson <anna@customer.example>",
    "To": "Nordic Goods <support@nordic.example>",
    "Subject": "Re: ORD-10042",
    "Message-ID": "<mime-1@customer.example>",
    "In-Reply-To": "<out-1@performile.example>",
    "Content-Type": 'text/plain; charset="utf-8"',
    "Content-Transfer-Encoding": "8bit",
}
header_text = form_text.map(lambda text: text.replace("\r", " ").replace("\n", " "))


@st.composite
def mime_messages(draw):
    if draw(st.booleans()):
        return draw(st.binary(max_size=2000))
    headers = draw(mutated_form(MIME_HEADERS, values=header_text))
    body = draw(st.one_of(form_text, st.just("Did it ship yet?\n> quoted")))
    head = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
    return f"{head}\r\n{body}".encode(errors="surrogateescape")


def test_raw_mime_answers_without_a_server_error(client):
    def send(raw):
        digest = hmac.new(MIME_SECRET.encode(), raw, hashlib.sha256).hexdigest()
        return client.post(
            reverse("webhook-email-mime"),
            raw,
            content_type="message/rfc822",
            HTTP_X_PERFORMILE_SIGNATURE=f"sha256={digest}",
        )

    assert_always_answered_well(mime_messages(), send)
