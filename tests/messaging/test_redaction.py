"""A redacted message (a customer's erasure, docs/privacy.md) reads "[removed at
the customer's request]" in every display, its attachments are gone, and search
no longer finds its words. The message row itself is never changed."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from messaging import services
from messaging.inbox import InboxFilters, inbox_threads, message_search
from messaging.models import REDACTED, Message
from messaging.notifications.digests import _preview
from messaging.services import IncomingAttachment, messages_redact
from tests.factories import OrderFactory

pytestmark = pytest.mark.django_db

WORD = "zanzibar"


@pytest.fixture
def order(store, customer):
    return OrderFactory(store=store, customer=customer, order_number="ORD-30003")


@pytest.fixture
def asked(order, customer, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return services.message_receive(
        channel=Message.Channel.EMAIL,
        sender=customer.email,
        subject=f"ORD-30003 {WORD}",
        body=f"The parcel, {WORD} street.",
        attachments=[IncomingAttachment("door.jpg", b"\xff\xd8 jpeg")],
    )


@pytest.fixture
def redacted(asked, staff_user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        counts = messages_redact(
            messages=Message.objects.filter(pk=asked.pk),
            actor=staff_user,
            reason="Erased",
        )
    assert counts == {"messages": 1, "attachments": 1}
    return Message.objects.get(pk=asked.pk)


def test_the_row_stays_as_written(redacted):
    assert redacted.body == f"The parcel, {WORD} street."
    assert redacted.is_redacted
    assert (redacted.shown_body, redacted.shown_subject) == (REDACTED, "")
    assert redacted.shown_sender == REDACTED
    assert redacted.author_name == REDACTED
    assert redacted.shown_attachments == []


def test_redacting_twice_is_once(redacted, staff_user):
    again = messages_redact(
        messages=Message.objects.filter(pk=redacted.pk), actor=staff_user, reason="x"
    )
    assert again == {"messages": 0, "attachments": 0}


def test_the_staff_thread_and_inbox_show_it_removed(client, staff_user, order, asked):
    client.force_login(staff_user)
    panel = reverse("messaging:thread", args=[order.pk])
    assert WORD in client.get(panel).content.decode()
    messages_redact(
        messages=Message.objects.filter(pk=asked.pk), actor=staff_user, reason="x"
    )
    for url in (panel, reverse("messaging:inbox")):
        page = client.get(url).content.decode()
        assert WORD not in page, url
        assert "door.jpg" not in page, url
        assert "removed at the customer&#x27;s request" in page, url


def test_the_attachment_no_longer_downloads(client, staff_user, asked, redacted):
    client.force_login(staff_user)
    attachment = asked.attachments.get()
    url = reverse("messaging:attachment", args=[attachment.pk])
    assert client.get(url).status_code == 404


def test_search_no_longer_finds_it(staff_user, staff_api, order, asked):
    hits = message_search(staff_user, InboxFilters(q=WORD))
    assert [hit.message.pk for hit in hits] == [asked.pk]
    messages_redact(
        messages=Message.objects.filter(pk=asked.pk), actor=staff_user, reason="x"
    )
    assert message_search(staff_user, InboxFilters(q=WORD)) == []
    assert message_search(staff_user, InboxFilters()) == []  # newest first, too
    assert not inbox_threads(staff_user, InboxFilters(q=WORD)).exists()
    body = staff_api.get(reverse("api-message-search"), {"q": WORD}).json()
    assert body["results"] == []


def test_the_api_shows_it_removed(staff_api, order, redacted):
    body = staff_api.get(reverse("api-order-messages", args=[order.pk])).json()
    (message,) = [m for m in body["messages"] if m["id"] == redacted.pk]
    assert message["body"] == REDACTED
    assert message["subject"] == ""
    assert message["redacted"] is True
    assert message["attachments"] == []
    assert message["author"]["name"] == REDACTED
    assert WORD not in str(body)


def test_the_portal_shows_it_removed(client, customer, order, redacted):
    client.force_login(customer.user)
    for url in (
        reverse("portal:messages"),
        reverse("portal:messages") + f"?order={order.pk}",
    ):
        page = client.get(url).content.decode()
        assert WORD not in page, url
        assert "removed at the customer&#x27;s request" in page, url


def test_the_staff_digest_shows_it_removed(redacted):
    assert WORD not in _preview(redacted)
    assert REDACTED in _preview(redacted)


def test_the_admin_shows_the_redaction_not_the_text(client, redacted):
    admin = get_user_model().objects.create_superuser("root", "root@example.com", "x")
    client.force_login(admin)
    change = reverse("admin:messaging_message_change", args=[redacted.pk])
    listing = reverse("admin:messaging_message_changelist")
    for url in (change, listing):
        page = client.get(url).content.decode()
        assert WORD not in page, url
    assert "removed at the customer" in client.get(change).content.decode()
    searched = client.get(listing, {"q": WORD}).content.decode()
    assert "0 results" in searched
