import hashlib
import hmac
import json
import re
import time
from email.message import EmailMessage

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from messaging import email_threads, services
from messaging.models import Attachment, Message
from performile.models import InboundDelivery
from tests.factories import OrderFactory
from tests.inbound import outcome

pytestmark = pytest.mark.django_db

MAILGUN_KEY = "mailgun-signing-key"
MIME_SECRET = "mime-secret"


@pytest.fixture(autouse=True)
def email_settings(settings, tmp_path):
    settings.MAILGUN_SIGNING_KEY = MAILGUN_KEY
    settings.EMAIL_INBOUND_SECRET = MIME_SECRET
    settings.MEDIA_ROOT = str(tmp_path)


@pytest.fixture
def order(store, customer):
    store.support_email = "support@nordic.example"
    store.save(update_fields=["support_email"])
    return OrderFactory(store=store, customer=customer, order_number="ORD-10042")


# --- Mailgun ---------------------------------------------------------------------


def mailgun_form(*, key=MAILGUN_KEY, timestamp=None, token="tok-1", **fields):
    timestamp = str(int(time.time()) if timestamp is None else timestamp)
    signature = hmac.new(
        key.encode(), f"{timestamp}{token}".encode(), hashlib.sha256
    ).hexdigest()
    form = {
        "timestamp": timestamp,
        "token": token,
        "signature": signature,
        "recipient": "support@nordic.example",
        "sender": "bounce+x@customer.example",
        "from": "Anna Svensson <anna@customer.example>",
        "subject": "Where is ORD-10042?",
        "body-plain": "It has been a week.\n\nOn Mon, 2 Nov 2026, Nordic"
        " Goods wrote:\n> Thanks for your order",
        "stripped-text": "It has been a week.",
        "Message-Id": "<mg-1@customer.example>",
        "message-headers": json.dumps([["Message-Id", "<mg-1@customer.example>"]]),
    }
    form.update(fields)
    return {name: value for name, value in form.items() if value is not None}


def post_mailgun(client, form):
    return client.post(reverse("webhook-email-mailgun"), form)


def test_a_signed_mailgun_email_lands_in_the_orders_thread(client, order):
    """A Mailgun route POST with a valid signature is kept, in the order's thread,
    with its stripped text, its sender's bare address and its Message-Id."""
    response = post_mailgun(client, mailgun_form())
    assert response.status_code == 200, response.content
    message = Message.objects.get()
    assert message.thread.order == order
    assert message.body == "It has been a week."
    assert message.sender == "anna@customer.example"
    assert message.recipient == "support@nordic.example"
    assert message.provider_message_id == "<mg-1@customer.example>"
    assert response.json()["status"] == "accepted"
    assert outcome(response) == {
        "status": "applied",
        "message_id": message.pk,
        "matched": True,
    }


def test_a_mailgun_email_with_a_bad_signature_is_refused_and_not_kept(client, order):
    """A wrong key: 401, no message and no delivery recorded."""
    response = post_mailgun(client, mailgun_form(key="someone-elses-key"))
    assert response.status_code == 401
    assert not Message.objects.exists()
    assert not InboundDelivery.objects.exists()


def test_mailgun_is_refused_while_no_signing_key_is_set(client, order, settings):
    """An empty MAILGUN_SIGNING_KEY never means "accept unsigned"."""
    settings.MAILGUN_SIGNING_KEY = ""
    response = post_mailgun(client, mailgun_form(key=""))
    assert response.status_code == 401
    assert not Message.objects.exists()


def test_a_replayed_mailgun_token_is_accepted_once(client, order):
    """The same token twice: 200 duplicate, still one message."""
    form = mailgun_form()
    post_mailgun(client, form)
    response = post_mailgun(client, form)
    assert response.status_code == 200
    assert response.json()["status"] == "duplicate"
    assert Message.objects.count() == 1


def test_a_mailgun_retry_with_a_new_token_is_recognized_by_message_id(client, order):
    """Mailgun may sign a retry afresh; the Message-Id still makes it a repeat."""
    post_mailgun(client, mailgun_form(token="tok-1"))
    response = post_mailgun(client, mailgun_form(token="tok-2"))
    assert response.json()["status"] == "accepted"
    assert outcome(response) == {"status": "duplicate"}
    assert Message.objects.count() == 1


def test_a_stale_mailgun_timestamp_is_refused(client, order):
    """A signature older than Mailgun's 8 hours of retries (and the margin) is
    refused, even though it is correctly signed."""
    signed_at = int(time.time())
    with time_machine.travel(signed_at + 9 * 3600, tick=False):
        response = post_mailgun(client, mailgun_form(timestamp=signed_at))
    assert response.status_code == 401
    assert not Message.objects.exists()


def test_a_mailgun_retry_hours_later_with_its_original_timestamp_is_taken(
    client, order
):
    """A retry within Mailgun's 8 hours keeps working if it carries the original
    timestamp."""
    signed_at = int(time.time())
    with time_machine.travel(signed_at + 7 * 3600, tick=False):
        response = post_mailgun(client, mailgun_form(timestamp=signed_at))
    assert response.status_code == 200
    assert Message.objects.count() == 1


def test_a_mailgun_email_without_a_sender_is_refused_with_406(client, order):
    """406 tells Mailgun not to retry a payload we will never take."""
    response = post_mailgun(client, mailgun_form(sender="", **{"from": ""}))
    assert response.status_code == 406
    assert "sender" in response.json()["error"]["message"]
    assert not Message.objects.exists()


def test_mailgun_without_stripped_text_strips_the_quote_itself(client, order):
    """Without stripped-text, the quoted conversation is cut from body-plain."""
    response = post_mailgun(client, mailgun_form(**{"stripped-text": None}))
    assert response.status_code == 200
    assert Message.objects.get().body == "It has been a week."


def test_a_swedish_quote_mailgun_left_in_is_cut_off(client, order):
    """Mailgun's stripped-text knows English mail clients: a Swedish client's
    quote under "… skrev …:" is cut by ours."""
    swedish = (
        "Paketet har inte kommit.\n\nDen mån 2 nov. 2026 kl. 10:12 skrev Nordic"
        " Goods <support@nordic.example>:\n> Tack för din beställning"
    )
    response = post_mailgun(client, mailgun_form(**{"stripped-text": swedish}))
    assert response.status_code == 200
    assert Message.objects.get().body == "Paketet har inte kommit."


def test_mailgun_html_only_email_is_read_as_text(client, order):
    html = (
        "<html><head><style>p{}</style></head><body><p>Where is my <b>parcel</b>?"
        "</p><div class='gmail_quote'><blockquote>Your order ORD-10042 shipped."
        "</blockquote></div></body></html>"
    )
    form = mailgun_form(
        **{"stripped-text": None, "body-plain": None, "body-html": html}
    )
    post_mailgun(client, form)
    assert Message.objects.get().body == "Where is my parcel?"


def test_mailgun_attachments_are_kept_with_the_message(client, order):
    form = mailgun_form(**{"attachment-count": "1"})
    form["attachment-1"] = SimpleUploadedFile(
        "receipt.pdf", b"%PDF-1.4 receipt", content_type="application/pdf"
    )
    response = post_mailgun(client, form)
    assert response.status_code == 200
    attachment = Attachment.objects.get()
    assert attachment.message.thread.order == order
    assert (attachment.filename, attachment.content_type) == (
        "receipt.pdf",
        "application/pdf",
    )
    assert attachment.file.read() == b"%PDF-1.4 receipt"


def test_a_mailgun_reply_to_our_email_threads_by_in_reply_to(client, order):
    """No order number in the text: the thread token in In-Reply-To finds it."""
    thread = services.thread_get_or_create(order=order)
    ours = email_threads.thread_message_id(thread)
    form = mailgun_form(
        subject="Re: your parcel",
        **{
            "stripped-text": "Thanks!",
            "from": "someone@else.example",
            "In-Reply-To": ours,
        },
    )
    post_mailgun(client, form)
    message = Message.objects.get()
    assert message.thread == thread
    assert message.headers["In-Reply-To"] == ours


# --- Raw MIME ------------------------------------------------------------------------


def mime_message(*, body=None, attachment=True, **headers) -> bytes:
    message = EmailMessage()
    message["From"] = headers.get("From", "Anna Svensson <anna@customer.example>")
    message["To"] = headers.get("To", "Nordic Goods <support@nordic.example>")
    message["Subject"] = headers.get("Subject", "Re: ORD-10042")
    if "Message-ID" not in headers or headers["Message-ID"]:
        message["Message-ID"] = headers.get("Message-ID", "<mime-1@customer.example>")
    message.set_content(
        body
        or (
            "Did it ship yet?\n"
            "\n"
            "--\n"
            "Anna Svensson\n"
            "Customer Ltd\n"
            "\n"
            "On Mon, 2 Nov 2026 at 10:00, Nordic Goods <support@nordic.example>"
            " wrote:\n"
            "> Thank you for your order ORD-10042.\n"
            "> It will ship soon.\n"
        )
    )
    message.add_alternative(
        "<p>Did it ship yet?</p><blockquote>Thank you for your order</blockquote>",
        subtype="html",
    )
    if attachment:
        message.add_attachment(
            b"\x89PNG fake image", maintype="image", subtype="png", filename="box.png"
        )
    return message.as_bytes()


def post_mime(client, raw: bytes, *, secret=MIME_SECRET):
    signature = hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()
    return client.post(
        reverse("webhook-email-mime"),
        raw,
        content_type="message/rfc822",
        HTTP_X_PERFORMILE_SIGNATURE=f"sha256={signature}",
    )


def test_a_raw_mime_reply_loses_its_quote_and_signature_and_keeps_attachment(
    client, order
):
    """The text part wins over the HTML one; the quoted earlier message and the
    signature are cut; the attachment is kept as a file with the message."""
    response = post_mime(client, mime_message())
    assert response.status_code == 200, response.content
    message = Message.objects.get()
    assert message.thread.order == order
    assert message.body == "Did it ship yet?"
    assert message.sender == "anna@customer.example"
    assert message.recipient == "support@nordic.example"
    assert message.subject == "Re: ORD-10042"
    assert message.provider_message_id == "<mime-1@customer.example>"
    attachment = message.attachments.get()
    assert (attachment.filename, attachment.content_type) == ("box.png", "image/png")
    assert attachment.file.read() == b"\x89PNG fake image"
    # Stored under 128 random bits: its address in the storage is not guessable.
    assert re.fullmatch(
        rf"messages/{message.pk}/[0-9a-f]{{32}}-box\.png", attachment.file.name
    )


def test_raw_mime_with_a_bad_signature_is_refused(client, order):
    response = post_mime(client, mime_message(), secret="wrong")
    assert response.status_code == 401
    assert not Message.objects.exists()
    assert not InboundDelivery.objects.exists()


def test_raw_mime_is_refused_while_no_secret_is_set(client, order, settings):
    settings.EMAIL_INBOUND_SECRET = ""
    response = post_mime(client, mime_message(), secret="")
    assert response.status_code == 401


def test_the_same_raw_mime_message_twice_is_one_message(client, order):
    raw = mime_message()
    post_mime(client, raw)
    response = post_mime(client, raw)
    assert response.status_code == 200
    assert response.json()["status"] == "duplicate"
    assert Message.objects.count() == 1


def test_raw_mime_without_message_id_is_deduplicated_by_its_content(client, order):
    raw = mime_message(**{"Message-ID": ""})
    post_mime(client, raw)
    response = post_mime(client, raw)
    assert response.json()["status"] == "duplicate"
    message = Message.objects.get()
    assert message.provider_message_id is None


@pytest.mark.parametrize(
    ("raw", "complaint"),
    [
        (b"", "empty"),
        (b"just some words without headers", "no header"),
        (b"Subject: hello\r\n\r\nno sender here", "From"),
    ],
)
def test_malformed_raw_mime_is_a_400_saying_what_is_wrong(
    client, order, raw, complaint
):
    response = post_mime(client, raw)
    assert response.status_code == 400
    assert complaint in response.json()["error"]["message"]
    assert not Message.objects.exists()


def test_raw_mime_in_another_charset_is_decoded(client, order):
    raw = (
        "From: =?iso-8859-1?q?J=F6rg?= <jorg@customer.example>\r\n"
        "To: support@nordic.example\r\n"
        "Subject: =?iso-8859-1?q?Br=E4nd?= ORD-10042\r\n"
        "Message-ID: <latin1@customer.example>\r\n"
        "Content-Type: text/plain; charset=iso-8859-1\r\n"
        "Content-Transfer-Encoding: quoted-printable\r\n"
        "\r\n"
        "Gr=FC=DFe, wo ist mein Paket?\r\n"
    ).encode("ascii")
    response = post_mime(client, raw)
    assert response.status_code == 200
    message = Message.objects.get()
    assert message.body == "Grüße, wo ist mein Paket?"
    assert message.subject == "Bränd ORD-10042"
    assert message.thread.order == order


def test_raw_mime_with_an_unknown_charset_is_still_kept(client, order):
    """A body that cannot be decoded as declared is kept as best it can be."""
    raw = (
        b"From: anna@customer.example\r\n"
        b"To: support@nordic.example\r\n"
        b"Subject: ORD-10042\r\n"
        b"Content-Type: text/plain; charset=x-no-such-charset\r\n"
        b"\r\n"
        b"Where is it? \xff\r\n"
    )
    response = post_mime(client, raw)
    assert response.status_code == 200
    message = Message.objects.get()
    assert message.body.startswith("Where is it?")
    assert message.thread.order == order
