"""Canned replies: the team writes them at /messages/canned/, and a conversation's
reply box offers them with the order's facts filled in ({{order_number}},
{{tracking_link}}, {{eta}}...)."""

import datetime as dt

import pytest
from django.urls import reverse

from messaging import canned, services
from messaging.models import CannedReply
from performile.models import AuditEvent
from tests.factories import OrderFactory

pytestmark = pytest.mark.django_db
PAGE = reverse("messaging:canned")
BODY = (
    "Hi {{customer_name}}, your order {{ order_number }} is on its way: "
    "{{tracking_link}} (expected {{eta}})."
)


@pytest.fixture
def order(store, customer):
    customer.name = "Anna"
    customer.save(update_fields=["name"])
    return OrderFactory(
        store=store,
        customer=customer,
        order_number="ORD-20001",
        tracking_number="00370712345678901234",
        tracking_url="https://track.example/1234",
        estimated_delivery=dt.date(2026, 12, 9),
    )


def test_the_team_writes_a_reply_and_the_composer_fills_it_in(
    client, staff_user, order
):
    client.force_login(staff_user)

    response = client.post(PAGE, {"title": "On its way", "body": BODY})

    assert response.status_code == 302
    reply = CannedReply.objects.get()
    assert (reply.merchant_id, reply.created_by) == (order.merchant_id, staff_user)
    assert AuditEvent.objects.filter(action="canned_reply.created").exists()
    assert "On its way" in client.get(PAGE).content.decode()
    panel = client.get(reverse("messaging:thread", args=[order.pk])).content.decode()
    assert "data-canned-reply" in panel
    assert (
        'data-text="Hi Anna, your order ORD-20001 is on its way: '
        'https://track.example/1234 (expected Wednesday 9 December)."'
    ) in panel


def test_an_unknown_variable_is_refused_naming_the_known_ones(client, staff_user):
    client.force_login(staff_user)

    response = client.post(PAGE, {"title": "Oops", "body": "Hi {{first_name}}"})

    assert response.status_code == 400
    page = response.content.decode()
    assert "Unknown: {{first_name}}" in page
    assert "{{order_number}}" in page
    assert not CannedReply.objects.exists()


def test_two_replies_may_not_share_a_title(client, staff_user, merchant):
    services.canned_reply_create(
        merchant=merchant, actor=staff_user, title="Returns", body="Send it back."
    )
    client.force_login(staff_user)

    response = client.post(PAGE, {"title": "Returns", "body": "Another."})

    assert response.status_code == 400
    assert "Another canned reply has this title." in response.content.decode()
    assert CannedReply.objects.count() == 1


def test_a_reply_is_edited_and_deleted(client, staff_user, merchant):
    reply = services.canned_reply_create(
        merchant=merchant, actor=staff_user, title="Returns", body="Send it back."
    )
    client.force_login(staff_user)
    edit = reverse("messaging:canned-edit", args=[reply.pk])

    client.post(edit, {"title": "Returns", "body": "Use the label in the box."})
    reply.refresh_from_db()
    assert reply.body == "Use the label in the box."

    client.post(reverse("messaging:canned-delete", args=[reply.pk]))
    assert not CannedReply.objects.exists()
    assert AuditEvent.objects.filter(action="canned_reply.deleted").exists()


@pytest.mark.parametrize("who", ["supplier", "reseller", "customer"])
def test_only_the_team_keeps_canned_replies(client, request, who, merchant, staff_user):
    services.canned_reply_create(
        merchant=merchant, actor=staff_user, title="Returns", body="Send it back."
    )
    user = request.getfixturevalue(who)
    client.force_login(getattr(user, "user", user))

    assert client.get(PAGE).status_code == 403
    assert client.post(PAGE, {"title": "Mine", "body": "x"}).status_code == 403
    assert CannedReply.objects.count() == 1


def test_suppliers_get_no_canned_replies_in_the_composer(
    client, supplier, staff_user, store, merchant
):
    order = OrderFactory(store=store, supplier=supplier)
    services.canned_reply_create(
        merchant=merchant, actor=staff_user, title="Returns", body="Send it back."
    )
    client.force_login(supplier)

    panel = client.get(reverse("messaging:thread", args=[order.pk])).content.decode()

    assert "data-canned-reply" not in panel


def test_a_reply_with_markup_is_shown_as_text(client, staff_user, order, merchant):
    services.canned_reply_create(
        merchant=merchant,
        actor=staff_user,
        title="Sneaky",
        body='<script>alert("x")</script> {{order_number}}',
    )
    client.force_login(staff_user)

    panel = client.get(reverse("messaging:thread", args=[order.pk])).content.decode()

    assert "<script>alert" not in panel
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; ORD-20001" in panel


def test_variables_without_a_value_yet_are_left_empty(order):
    order.tracking_url = ""
    order.estimated_delivery = None

    text = canned.render(BODY, canned.order_values(order))

    assert text == "Hi Anna, your order ORD-20001 is on its way:  (expected )."
