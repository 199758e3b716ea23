"""Who sees what through the messages API: internal notes never reach customers,
suppliers or resellers, and another merchant's people never reach this
merchant's conversations. Every messaging URL (HTML and /api/) is in the sweep of
another merchant's staff; a new one that is not fails
`test_the_sweep_covers_every_messaging_url` (tests/urls_sweep.py)."""

import pytest
from django.core import signing
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from messaging import services
from messaging.models import (
    Attachment,
    Message,
    ReadReceipt,
    SatisfactionSurvey,
    Thread,
)
from messaging.services.satisfaction import LINK_SALT
from tests.factories import CustomerFactory, OrderFactory
from tests.urls_sweep import app_routes, assert_not_found, assert_swept

# The URLs that take ids, by the kinds of record they name (in the path's order).
PARAMETRIZED = {
    "messaging:thread": ["order"],
    "messaging:post": ["order"],
    "messaging:close": ["order"],
    "messaging:reopen": ["order"],
    "messaging:link": ["stray"],
    "messaging:attachment": ["attachment"],
    "messaging:canned-edit": ["canned"],
    "messaging:canned-delete": ["canned"],
    "messaging:conversation": ["order"],
    "messaging:thread-labels": ["order"],
    "messaging:snooze": ["order"],
    "messaging:label-edit": ["label"],
    "messaging:label-delete": ["label"],
    "messaging:whatsapp-template-edit": ["whatsapp_template"],
    "messaging:whatsapp-template-delete": ["whatsapp_template"],
    "api-order-messages": ["order"],
    "api-message-read": ["order", "message"],
    "api-thread-close": ["order"],
    "api-thread-reopen": ["order"],
    "api-unmatched-link": ["stray"],
}
# The public URLs reached by a signed token instead of a sign-in (docs/csat.md):
# asked with another merchant's survey's id under a token that is not its own.
BY_TOKEN = {"satisfaction:rate": "survey"}
# The URLs without an id in the path, and how another merchant's records could
# reach them (None: only the caller's merchant's numbers).
OTHER_WAYS = {
    "messaging:inbox": "query",
    "messaging:unmatched": "listing",
    "messaging:metrics": None,
    "messaging:canned": "listing",
    "messaging:labels": "listing",
    # Its form's merchant is one of the admin's own (test_whatsapp_templates.py).
    "messaging:whatsapp-templates": "listing",
    "messaging:bulk": "form",
    "api-message-search": "query",
    "api-unmatched": "listing",
    "api-unread": "counts",
    "api-message-metrics": None,
}


@pytest.fixture
def order(second_store, customer, supplier):
    """An order every role can see: the reseller's store, the supplier's
    assignment, the customer's own."""
    return OrderFactory(
        store=second_store, customer=customer, supplier=supplier, order_number="ORD-4"
    )


@pytest.fixture
def conversation(order, customer, staff_user):
    asked = services.message_send_in_app(
        order=order, actor=customer.user, body="Where is my lamp?"
    )
    note = services.message_add_note(
        order=order, actor=staff_user, body="Lamp is lost, refund quietly"
    )
    return asked, note


def _client(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture(params=["customer", "supplier", "reseller"])
def outsider(request, customer, supplier, reseller):
    """Someone who sees the order but not its internal notes."""
    return {"customer": customer.user, "supplier": supplier, "reseller": reseller}[
        request.param
    ]


def test_internal_notes_are_hidden_in_the_thread(order, conversation, outsider):
    asked, note = conversation
    answer = _client(outsider).get(f"/api/orders/{order.pk}/messages")
    assert answer.status_code == 200
    shown = answer.json()["messages"]
    assert [m["id"] for m in shown] == [asked.pk]
    assert "refund quietly" not in answer.content.decode()


def test_marking_an_internal_note_read_is_404(order, conversation, outsider):
    _, note = conversation
    answer = _client(outsider).patch(f"/api/orders/{order.pk}/messages/{note.pk}/read")
    assert answer.status_code == 404
    assert not note.receipts.exists()


def test_search_is_refused(order, conversation, outsider):
    answer = _client(outsider).get("/api/admin/messages/search", {"q": "refund"})
    assert answer.status_code == 403
    assert answer.json()["error"]["code"] == "permission_denied"


def test_unread_counts_leave_notes_out(order, conversation, outsider, customer):
    """The customer has read their own message; the others have one unread, the
    customer's. Nobody counts the note."""
    counts = _client(outsider).get("/api/messages/unread").json()
    expected = 0 if outsider == customer.user else 1
    assert counts["total"] == expected
    thread_counts = _client(outsider).get(f"/api/orders/{order.pk}/messages").json()
    assert thread_counts["thread"]["unread"] == expected


def test_outsiders_cannot_write_notes(order, conversation, outsider):
    answer = _client(outsider).post(
        f"/api/orders/{order.pk}/messages",
        {"body": "psst", "visibility": "internal"},
        format="json",
    )
    assert answer.status_code == 403
    assert not Message.objects.filter(body="psst").exists()


def test_outsiders_have_no_unmatched_inbox_or_metrics(outsider):
    client = _client(outsider)
    assert client.get("/api/messages/unmatched").status_code == 403
    assert client.get("/api/messages/metrics").status_code == 403


def test_staff_and_admins_see_the_notes(order, conversation, admin_member):
    asked, note = conversation
    shown = _client(admin_member).get(f"/api/orders/{order.pk}/messages").json()
    assert [m["id"] for m in shown["messages"]] == [asked.pk, note.pk]


# --- Another merchant ---------------------------------------------------------------


def test_the_sweep_covers_every_messaging_url():
    assert_swept(
        app_routes("messaging.urls", "messaging.api_urls", "messaging.rating_urls"),
        by_id=[*PARAMETRIZED, *BY_TOKEN],
        other=OTHER_WAYS,
    )


def test_another_merchants_staff_get_404_everywhere(
    client,
    settings,
    tmp_path,
    order,
    merchant,
    conversation,
    other_store,
    other_merchant_staff,
    staff_user,
    admin_member,
):
    settings.MEDIA_ROOT = tmp_path
    asked, note = conversation
    stray = Message.objects.create(
        merchant=merchant,
        channel=Message.Channel.EMAIL,
        direction=Message.Direction.INBOUND,
        body="A lamp?",
    )
    attachment = Attachment.objects.create(
        message=stray, file=ContentFile(b"x", name="a.txt"), filename="a.txt"
    )
    reply = services.canned_reply_create(
        merchant=merchant,
        actor=staff_user,
        title="Where is it",
        body="Your {{order_number}} is on its way.",
    )
    label = services.label_create(
        merchant=merchant, actor=staff_user, name="Lamp trouble", colour="red"
    )
    services.thread_set_labels(order=order, actor=staff_user, label_ids=[label.pk])
    template = services.whatsapp_template_create(
        merchant=merchant,
        actor=admin_member,
        values={
            "purpose": "reply_waiting",
            "name": "reply_waiting",
            "language_code": "en",
            "body": "New reply about {{1}}: {{2}}",
            "parameters": ["order_number", "reply_text"],
        },
    )
    theirs = {
        "label": label,
        "order": order,
        "message": asked,
        "stray": stray,
        "attachment": attachment,
        "canned": reply,
        "whatsapp_template": template,
    }
    own_order = OrderFactory(store=other_store)
    before = (Message.objects.count(), ReadReceipt.objects.count())
    client.force_login(other_merchant_staff)
    data = {"body": "Hi", "order_id": own_order.pk, "visibility": "public"}

    for name, kinds in PARAMETRIZED.items():
        url = reverse(name, args=[theirs[kind].pk for kind in kinds])
        assert_not_found(client, url, data)

    # Their survey's id in a token signed for one of this merchant's own surveys.
    survey = _sent_survey(order)
    own = _sent_survey(own_order)
    for name in BY_TOKEN:
        forged = signing.dumps([survey.pk, own.nonce], salt=LINK_SALT)
        assert_not_found(client, reverse(name, args=[forged]), {"rating": "1"})
    assert SatisfactionSurvey.objects.get(pk=survey.pk).rating is None

    listings = ("messaging:inbox", "messaging:unmatched", "messaging:canned")
    for name in (*listings, "messaging:labels"):
        page = client.get(reverse(name), {"q": "lamp", "label": label.pk})
        assert page.status_code == 200, name
        assert order.order_number not in page.content.decode(), name
        assert "A lamp?" not in page.content.decode(), name
        assert "Where is it" not in page.content.decode(), name
        assert "Lamp trouble" not in page.content.decode(), name
    opened = client.get(reverse("messaging:inbox"), {"open": order.pk})
    assert opened.status_code == 404
    reply.refresh_from_db()
    assert reply.title == "Where is it"
    label.refresh_from_db()
    assert label.name == "Lamp trouble"
    assert list(Thread.objects.get(order=order).labels.all()) == [label]
    assert Thread.objects.get(order=order).snoozed_until is None
    template.refresh_from_db()
    assert template.body == "New reply about {{1}}: {{2}}"
    client.post(reverse("messaging:bulk"), {"orders": [order.pk], "action": "close"})
    assert Thread.objects.get(order=order).is_open
    hits = client.get(reverse("api-message-search"), {"q": "lamp"}).json()
    assert hits["results"] == []
    assert client.get(reverse("api-unmatched")).json()["messages"] == []
    assert client.get(reverse("api-unread")).json()["total"] == 0
    assert (Message.objects.count(), ReadReceipt.objects.count()) == before
    assert not asked.receipts.exists()
    assert Message.objects.get(pk=stray.pk).thread_id is None


def _sent_survey(order) -> SatisfactionSurvey:
    return SatisfactionSurvey.objects.create(
        order=order,
        merchant_id=order.merchant_id,
        store_id=order.store_id,
        customer_id=order.customer_id or CustomerFactory(merchant=order.merchant).pk,
        trigger=SatisfactionSurvey.Trigger.DELIVERED,
        due_at=timezone.now(),
        status=SatisfactionSurvey.Status.SENT,
        sent_at=timezone.now(),
    )


def test_another_merchants_staff_cannot_search_or_link_here(
    order, merchant, conversation, other_merchant_staff, other_store
):
    client = _client(other_merchant_staff)
    hits = client.get("/api/admin/messages/search", {"q": "lamp"}).json()
    assert hits["results"] == []
    stray = Message.objects.create(
        merchant=merchant,
        channel=Message.Channel.EMAIL,
        direction=Message.Direction.INBOUND,
        body="A lamp?",
    )
    assert client.get("/api/messages/unmatched").json()["messages"] == []
    own_order = OrderFactory(store=other_store)
    answer = client.post(
        f"/api/messages/unmatched/{stray.pk}/link", {"order_id": own_order.pk}
    )
    assert answer.status_code == 404
    their_stray = Message.objects.create(
        merchant=other_store.merchant,
        channel=Message.Channel.EMAIL,
        direction=Message.Direction.INBOUND,
        body="Mine",
    )
    answer = client.post(
        f"/api/messages/unmatched/{their_stray.pk}/link", {"order_id": order.pk}
    )
    assert answer.status_code == 404
    assert Message.objects.get(pk=their_stray.pk).thread_id is None


def test_unauthenticated_callers_are_refused(order):
    answer = APIClient().get(f"/api/orders/{order.pk}/messages")
    assert answer.status_code in (401, 403)
    assert "error" in answer.json()
