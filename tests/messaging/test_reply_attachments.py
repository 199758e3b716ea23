"""Files with the team's replies and internal notes: checked before anything is
written, attached to the email that carries a reply, linked to the customer's
portal from a text message, downloadable in the portal by the order's customer
only, and never shown to the customer with an internal note."""

from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from messaging import services
from messaging.models import Attachment, Message, Thread
from performile import outbox
from performile.errors import ApplicationError
from performile.models import OutboxMessage
from tests.factories import CustomerFactory, OrderFactory, UserFactory

pytestmark = pytest.mark.django_db
Status = OutboxMessage.Status
HTMX = {"HX-Request": "true"}
PHONE = "+46701234567"
TWILIO_MESSAGES = "/2010-04-01/Accounts/AC-test/Messages.json"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(range(64))
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n%%EOF\n"
MB = 1024 * 1024


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def order(store, customer):
    customer.phone = PHONE
    customer.save()
    return OrderFactory(store=store, customer=customer, order_number="ORD-10042")


def upload(name, content, content_type="application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def photo_and_invoice():
    return [
        upload("photo.png", PNG, "image/png"),
        upload("invoice.pdf", PDF, "application/pdf"),
    ]


def post(client, order, **data):
    return client.post(reverse("messaging:post", args=[order.pk]), data, headers=HTMX)


def stored_files(media) -> list[Path]:
    return [path for path in Path(media).rglob("*") if path.is_file()]


def written():
    return (
        Thread.objects.count(),
        Message.objects.count(),
        Attachment.objects.count(),
        OutboxMessage.objects.count(),
    )


# --- Email ---------------------------------------------------------------------


def test_an_email_reply_carries_both_files(client, staff_user, order, mailoutbox):
    """Two files with an email reply: the mail that goes out has both, with
    their names, types and bytes; the thread shows them."""
    client.force_login(staff_user)

    response = post(
        client, order, body="Here you are.", channel="email", files=photo_and_invoice()
    )

    assert response.status_code == 200
    message = Message.objects.get(direction="outbound")
    assert [
        (a.filename, a.content_type, a.size) for a in message.attachments.all()
    ] == [
        ("photo.png", "image/png", len(PNG)),
        ("invoice.pdf", "application/pdf", len(PDF)),
    ]
    assert "photo.png" in response.content.decode()
    delivery = outbox.deliver(message.delivery_id)
    assert delivery.status == Status.SENT
    (email,) = mailoutbox
    assert email.to == [order.customer.email]
    assert email.body.startswith("Here you are.")  # then the store's sign-off
    assert "Here you are." in email.alternatives[0][0]  # the branded HTML part
    assert email.attachments == [
        ("photo.png", PNG, "image/png"),
        ("invoice.pdf", PDF, "application/pdf"),
    ]


def test_the_stored_names_cannot_be_guessed(staff_user, order, media):
    """Each file is stored under a random folder of its own, not by message id."""
    message = services.message_reply(
        order=order, actor=staff_user, body="See the photo.", channel="email",
        files=[upload("photo.png", PNG)],
    )  # fmt: skip

    name = message.attachments.get().file.name
    folder = name.split("/")[2]
    assert name.startswith("messages/sent/")
    assert name.endswith("/photo.png")
    assert len(folder) >= 20  # 128 random bits, not the message id
    assert message.delivery.attachments == [
        {"name": name, "filename": "photo.png", "content_type": "image/png"}
    ]


def test_a_file_gone_at_send_time_fails_the_email_for_good(
    staff_user, order, mailoutbox
):
    """The outbox row names a file that is no longer in storage: the email is not
    sent, not retried, and the reason says which file."""
    message = services.message_reply(
        order=order, actor=staff_user, body="Invoice attached.", channel="email",
        files=[upload("invoice.pdf", PDF)],
    )  # fmt: skip
    default_storage.delete(message.attachments.get().file.name)

    delivery = outbox.deliver(message.delivery_id)

    assert delivery.status == Status.FAILED
    assert delivery.next_attempt_at is None
    assert "invoice.pdf is missing from storage" in delivery.last_error
    assert mailoutbox == []


# --- The portal ------------------------------------------------------------------


@pytest.fixture
def portal_reply(staff_user, order):
    """An in-app reply with a PDF: the customer reads it in the portal."""
    return services.message_reply(
        order=order, actor=staff_user, body="Your invoice.", channel="in_app",
        files=[upload("invoice.pdf", PDF)],
    )  # fmt: skip


def portal_file_url(attachment):
    return reverse("portal:messages_attachment", args=[attachment.pk])


def test_the_customer_downloads_a_portal_replys_file(client, order, portal_reply):
    """The customer's conversation links the file; the download is theirs, as an
    attachment, never cached."""
    attachment = portal_reply.attachments.get()
    client.force_login(order.customer.user)

    page = client.get(reverse("portal:messages"), {"order": order.pk})
    response = client.get(portal_file_url(attachment))

    assert portal_file_url(attachment) in page.content.decode()
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Cache-Control"] == "private, no-store"


def test_another_customer_and_another_merchants_staff_get_404(
    client, merchant, order, portal_reply, other_merchant_staff, staff_user
):
    attachment = portal_reply.attachments.get()
    stranger = UserFactory(username="stranger")
    CustomerFactory(merchant=merchant, user=stranger)
    OrderFactory(store=order.store, customer=stranger.customer)
    team_url = reverse("messaging:attachment", args=[attachment.pk])

    client.force_login(stranger)
    assert client.get(portal_file_url(attachment)).status_code == 404
    client.force_login(other_merchant_staff)
    assert client.get(team_url).status_code == 404
    assert client.get(portal_file_url(attachment)).status_code == 404
    client.force_login(staff_user)
    assert client.get(team_url).status_code == 200


def test_an_internal_notes_file_stays_with_the_team(client, staff_user, order):
    """A file with an internal note: no outbox row, nothing in the customer's
    portal (404 for its file), downloadable by the team."""
    client.force_login(staff_user)
    before = OutboxMessage.objects.count()

    response = post(
        client, order, body="Damage photo.", internal="on",
        files=[upload("damage.jpg", b"\xff\xd8\xff\xe0" + bytes(32))],
    )  # fmt: skip

    assert response.status_code == 200
    note = Message.objects.get(visibility=Message.Visibility.INTERNAL)
    attachment = note.attachments.get()
    assert attachment.content_type == "image/jpeg"
    assert OutboxMessage.objects.count() == before
    team_url = reverse("messaging:attachment", args=[attachment.pk])
    assert client.get(team_url).status_code == 200
    client.force_login(order.customer.user)
    page = client.get(reverse("portal:messages"), {"order": order.pk})
    assert "damage.jpg" not in page.content.decode()
    assert client.get(portal_file_url(attachment)).status_code == 404


# --- Refusals: nothing is written -----------------------------------------------


@pytest.mark.parametrize(
    ("files", "says"),
    [
        pytest.param(
            lambda: [upload("big.pdf", b"%PDF-" + bytes(10 * MB))],
            "a file may be at most 10 MB",
            id="too-big",
        ),
        pytest.param(
            lambda: [
                upload(f"part{n}.pdf", b"%PDF-" + bytes(7 * MB)) for n in range(3)
            ],
            "at most 20 MB go with one reply",
            id="too-big-together",
        ),
        pytest.param(
            lambda: [upload("setup.exe", b"MZ\x90\x00")],
            "files of this type cannot be sent",
            id="bad-type",
        ),
        pytest.param(
            lambda: [upload("photo.png", PDF, "image/png")],
            "photo.png is not a PNG image",
            id="name-lies",
        ),
        pytest.param(
            lambda: [upload(f"note{n}.txt", b"hello") for n in range(6)],
            "6 files is too many: at most 5",
            id="too-many",
        ),
    ],
)
def test_a_refused_file_writes_nothing(client, staff_user, order, media, files, says):
    """The composer answers 422 saying what is wrong; no thread, message,
    attachment, outbox row or file is left."""
    client.force_login(staff_user)
    before = written()

    response = post(client, order, body="Files.", channel="email", files=files())

    assert response.status_code == 422
    assert says in response.content.decode()
    assert written() == before
    assert stored_files(media) == []


def test_a_refusal_after_the_files_were_stored_deletes_them(
    staff_user, order, media, twilio_server
):
    """The files are stored, then the reply is refused (the SMS is too long with
    its portal link): the files are deleted again and nothing is written."""
    services.message_receive(
        channel="sms", sender=PHONE, body="Hi", provider_message_id="SM1"
    )
    before = written()

    with pytest.raises(ApplicationError, match="at most 1600 characters"):
        services.message_reply(
            order=order, actor=staff_user, body="x" * 1590, channel="sms",
            files=[upload("photo.png", PNG)],
        )  # fmt: skip

    assert written() == before
    assert stored_files(media) == []


# --- Text messages ---------------------------------------------------------------


def test_an_sms_reply_links_to_the_portal(staff_user, order, twilio_server, settings):
    """SMS cannot carry files: the text ends with a line that sends the customer,
    in their language, to the conversation in their portal."""
    settings.PUBLIC_BASE_URL = "https://shop.example"
    order.customer.language = "sv"
    order.customer.save()
    services.message_receive(
        channel="sms", sender=PHONE, body="Hi", provider_message_id="SM1"
    )
    twilio_server.expect_oneshot_request(
        TWILIO_MESSAGES, method="POST"
    ).respond_with_json({"sid": "SM900"}, status=201)

    message = services.message_reply(
        order=order, actor=staff_user, body="Here is the label.",
        files=photo_and_invoice(),
    )  # fmt: skip
    delivery = outbox.deliver(message.delivery_id)

    link = f"https://shop.example/portal/messages/?order={order.pk}"
    expected = f"Here is the label.\n\n2 bifogade filer: se dem i din portal: {link}"
    assert message.channel == "sms"
    assert message.body == "Here is the label."  # the thread keeps what was written
    assert delivery.status == Status.SENT
    (request, _response) = twilio_server.log[0]
    assert request.form["Body"] == expected
    assert message.attachments.count() == 2


def test_sms_refuses_files_for_a_customer_without_a_portal(
    client, staff_user, store, media, twilio_server
):
    """No portal account, no link to send: the composer refuses the files on
    SMS, says so, and writes nothing."""
    customer = CustomerFactory(merchant=store.merchant, phone=PHONE, email="")
    order = OrderFactory(store=store, customer=customer)
    client.force_login(staff_user)
    panel = client.get(reverse("messaging:thread", args=[order.pk]), headers=HTMX)
    before = written()

    response = post(
        client, order, body="Label.", channel="sms", files=[upload("label.pdf", PDF)]
    )

    assert "SMS and WhatsApp cannot carry them" in panel.content.decode()
    assert response.status_code == 422
    assert "SMS cannot carry files" in response.content.decode()
    assert written() == before
    assert stored_files(media) == []


def test_a_whatsapp_reply_links_to_the_portal(staff_user, order, settings):
    settings.WHATSAPP_ACCESS_TOKEN = "graph-token"
    settings.WHATSAPP_PHONE_NUMBER_ID = "1100200300"
    services.message_receive(
        channel="whatsapp", sender=PHONE, body="Hi", provider_message_id="wamid.1"
    )

    message = services.message_reply(
        order=order, actor=staff_user, body="Photo of your parcel.",
        files=[upload("parcel.png", PNG)],
    )  # fmt: skip

    assert message.channel == "whatsapp"
    assert message.delivery.body.endswith(
        f"1 attachment: see it in your portal: {settings.PUBLIC_BASE_URL}"
        f"/portal/messages/?order={order.pk}"
    )
    assert message.delivery.attachments == []


# --- The API -------------------------------------------------------------------


def test_the_api_takes_files_as_multipart(staff_api, order, media, mailoutbox):
    url = reverse("api-order-messages", args=[order.pk])

    response = staff_api.post(
        url,
        {"body": "Attached.", "channel": "email", "files": photo_and_invoice()},
        format="multipart",
    )

    assert response.status_code == 201, response.content
    files = response.json()["attachments"]
    assert [(f["filename"], f["content_type"]) for f in files] == [
        ("photo.png", "image/png"),
        ("invoice.pdf", "application/pdf"),
    ]
    outbox.deliver(Message.objects.get(pk=response.json()["id"]).delivery_id)
    assert [name for name, _, _ in mailoutbox[0].attachments] == [
        "photo.png",
        "invoice.pdf",
    ]


def test_the_api_refuses_a_bad_file_with_400_and_writes_nothing(
    staff_api, order, media
):
    before = written()

    response = staff_api.post(
        reverse("api-order-messages", args=[order.pk]),
        {"body": "x", "files": [upload("run.sh", b"#!/bin/sh")]},
        format="multipart",
    )

    assert response.status_code == 400
    assert "cannot be sent" in response.content.decode()
    assert written() == before
    assert stored_files(media) == []


def test_the_api_links_the_customer_to_the_portals_download(
    api_client, order, portal_reply
):
    """The order's customer reads the thread by the API: the file's link is the
    portal's download, which they may open."""
    api_client.force_authenticate(order.customer.user)

    response = api_client.get(reverse("api-order-messages", args=[order.pk]))

    (reply,) = [m for m in response.json()["messages"] if m["id"] == portal_reply.pk]
    assert [f["url"] for f in reply["attachments"]] == [
        portal_file_url(portal_reply.attachments.get())
    ]


def test_a_file_missing_from_storage_is_404_not_an_error(client, order, portal_reply):
    attachment = portal_reply.attachments.get()
    default_storage.delete(attachment.file.name)
    client.force_login(order.customer.user)

    assert client.get(portal_file_url(attachment)).status_code == 404
