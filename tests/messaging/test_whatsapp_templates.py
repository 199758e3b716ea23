"""WhatsApp outside its 24-hour window: notifications go as the merchant's
`order_update` template and staff replies as its `reply_waiting` template, in the
customer's language, through a local server speaking the Cloud API; the merchant's
admins keep the templates at /messages/whatsapp-templates/."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from messaging import services
from messaging.forms import MessageForm
from messaging.models import Message, NotificationPreference, WhatsAppTemplate
from messaging.notifications.customers import customer_notify, status_notice
from orders.models import Membership
from orders.state_machine import OrderStatus
from performile import outbox
from performile.errors import ApplicationError
from performile.models import AuditEvent, OutboxMessage
from tests.factories import MembershipFactory, OrderFactory, UserFactory

pytestmark = pytest.mark.django_db
Channel = OutboxMessage.Channel
Status = OutboxMessage.Status
PHONE = "+46701234567"
WAMID = "wamid.HBgLNDY3MDEyMzQ1NjcVAgARGBI5QTNDQTVCM0Q0Q0Q2RTY3RTcA"
GRAPH_MESSAGES = "/v21.0/1100200300/messages"
NOON = dt.datetime(2026, 3, 2, 11, 0, tzinfo=dt.UTC)  # 12:00 in Stockholm
DAY_LATER = NOON + dt.timedelta(hours=25)
PAGE = reverse("messaging:whatsapp-templates")
UPDATE_BODY = "Hello {{1}}, news about your order {{2}} from {{3}}: {{4}}"
REPLY_BODY = "You have a new reply about order {{1}} from {{2}}: {{3}}"


@pytest.fixture
def whatsapp(settings, httpserver):
    settings.WHATSAPP_API_BASE = httpserver.url_for("/v21.0")
    settings.WHATSAPP_ACCESS_TOKEN = "graph-token"
    settings.WHATSAPP_PHONE_NUMBER_ID = "1100200300"
    return httpserver


@pytest.fixture
def order(store, customer):
    customer.name, customer.phone = "Anna", PHONE
    customer.save(update_fields=["name", "phone"])
    NotificationPreference.objects.create(customer=customer, email=False, whatsapp=True)
    return OrderFactory(store=store, customer=customer, order_number="ORD-10042")


def at(moment):
    return time_machine.travel(moment, tick=False)


def template(merchant, admin, purpose, language_code="en", **values):
    body = UPDATE_BODY if purpose == "order_update" else REPLY_BODY
    parameters = (
        ["customer_name", "order_number", "store_name", "update"]
        if purpose == "order_update"
        else ["order_number", "store_name", "reply_text"]
    )
    return services.whatsapp_template_create(
        merchant=merchant,
        actor=admin,
        values={
            "purpose": purpose,
            "name": f"{purpose}_{language_code.lower()}",
            "language_code": language_code,
            "body": body,
            "parameters": parameters,
            **values,
        },
    )


def customer_writes_on_whatsapp():
    return services.message_receive(
        channel=Message.Channel.WHATSAPP,
        sender=PHONE,
        body="Can you gift wrap ORD-10042?",
    )


def notify(order):
    customer_notify(order=order, notice=status_notice(order, OrderStatus.CONFIRMED))
    return list(OutboxMessage.objects.filter(order_id=order.pk).order_by("pk"))


def accepted():
    return {
        "messaging_product": "whatsapp",
        "contacts": [{"input": PHONE[1:], "wa_id": PHONE[1:]}],
        "messages": [{"id": WAMID}],
    }


def expect_template(server, name, code, parameters):
    server.expect_oneshot_request(
        GRAPH_MESSAGES,
        method="POST",
        headers={"Authorization": "Bearer graph-token"},
        json={
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": PHONE[1:],
            "type": "template",
            "template": {
                "name": name,
                "language": {"code": code},
                "components": [
                    {
                        "type": "body",
                        "parameters": [{"type": "text", "text": p} for p in parameters],
                    }
                ],
            },
        },
    ).respond_with_json(accepted())


# --- Notifications -----------------------------------------------------------------


def test_inside_the_window_a_notification_goes_as_text(
    order, merchant, admin_member, whatsapp
):
    template(merchant, admin_member, "order_update")
    with at(NOON):
        customer_writes_on_whatsapp()
        (message,) = notify(order)
        whatsapp.expect_oneshot_request(
            GRAPH_MESSAGES,
            method="POST",
            json={
                "messaging_product": "whatsapp",
                "recipient_type": "individual",
                "to": PHONE[1:],
                "type": "text",
                "text": {"body": message.body, "preview_url": False},
            },
        ).respond_with_json(accepted())

        sent = outbox.deliver(message.pk)

    assert message.template is None
    assert (sent.status, sent.provider_message_id) == (Status.SENT, WAMID)
    whatsapp.check_assertions()


def test_outside_the_window_the_order_update_template_goes(
    order, merchant, admin_member, whatsapp
):
    """Its parameters are the variables the admin named, in their order; the row's
    text is the approved body with them filled in."""
    template(merchant, admin_member, "order_update")
    with at(NOON):
        customer_writes_on_whatsapp()
    with at(DAY_LATER):
        (message,) = notify(order)
        parameters = [
            "Anna",
            "ORD-10042",
            order.store.name,
            "Your order ORD-10042 is confirmed",
        ]
        expect_template(whatsapp, "order_update_en", "en", parameters)

        sent = outbox.deliver(message.pk)

    assert message.channel == Channel.WHATSAPP
    assert message.template == {
        "name": "order_update_en",
        "language": "en",
        "parameters": parameters,
    }
    assert message.body == (
        f"Hello Anna, news about your order ORD-10042 from {order.store.name}:"
        " Your order ORD-10042 is confirmed"
    )
    assert sent.status == Status.SENT
    whatsapp.check_assertions()


@pytest.mark.parametrize(
    ("customer_language", "store_language", "approved", "expected"),
    [
        ("sv", "en", ["en", "sv"], "sv"),
        ("da", "nb", ["en", "nb"], "nb"),  # none in Danish: the store's language
        ("da", "sv", ["en_GB", "nb"], "en_GB"),  # nor in Swedish: English
        ("", "nb", ["en", "nb"], "nb"),  # no choice of their own: the store's
    ],
)
def test_the_customers_language_chooses_the_template(
    order,
    store,
    merchant,
    admin_member,
    whatsapp,
    customer_language,
    store_language,
    approved,
    expected,
):
    store.language = store_language
    store.save(update_fields=["language"])
    order.customer.language = customer_language
    order.customer.save(update_fields=["language"])
    for code in approved:
        template(merchant, admin_member, "order_update", code)
    with at(NOON):
        customer_writes_on_whatsapp()
    with at(DAY_LATER):
        (message,) = notify(order)

    assert message.template["name"] == f"order_update_{expected.lower()}"
    assert message.template["language"] == expected


def test_a_notice_held_for_the_night_goes_as_the_template_if_the_window_closes(
    order, merchant, admin_member, whatsapp
):
    """The customer wrote at 07:30 (Stockholm); a notice at 22:00 waits for 08:00
    the next morning, when the window has closed: it is queued as the template."""
    template(merchant, admin_member, "order_update")
    with at(dt.datetime(2026, 3, 2, 6, 30, tzinfo=dt.UTC)):
        customer_writes_on_whatsapp()
    with at(dt.datetime(2026, 3, 2, 21, 0, tzinfo=dt.UTC)):
        (message,) = notify(order)

    assert message.next_attempt_at == dt.datetime(2026, 3, 3, 7, 0, tzinfo=dt.UTC)
    assert message.template["name"] == "order_update_en"


def test_without_a_template_a_closed_window_falls_back_to_email(
    order, merchant, admin_member, whatsapp
):
    """An inactive template is no template."""
    template(merchant, admin_member, "order_update", active=False)
    with at(NOON):
        customer_writes_on_whatsapp()
    with at(DAY_LATER):
        (message,) = notify(order)

    assert (message.channel, message.recipient) == (Channel.EMAIL, order.customer.email)


# --- Staff replies -----------------------------------------------------------------


def test_a_reply_outside_the_window_goes_as_the_reply_template(
    order, merchant, admin_member, staff_user, whatsapp
):
    order.customer.language = "sv"
    order.customer.save(update_fields=["language"])
    template(merchant, admin_member, "reply_waiting", "sv")
    with at(NOON):
        customer_writes_on_whatsapp()
    with at(DAY_LATER):
        form = MessageForm(order=order, thread=order.thread, allow_internal=True)
        shown = dict(form.fields["channel"].widget.choices)
        reply = services.message_reply(
            order=order,
            actor=staff_user,
            body="It ships\n\ntomorrow morning.",
            channel="whatsapp",
        )
        expect_template(
            whatsapp,
            "reply_waiting_sv",
            "sv",
            ["ORD-10042", order.store.name, "It ships tomorrow morning."],
        )
        sent = outbox.deliver(reply.delivery_id)

    assert shown["whatsapp"] == "WhatsApp (template: reply_waiting_sv)"
    assert shown["auto"] == "Auto: WhatsApp (template: reply_waiting_sv)"
    assert "more than 24 hours" in form.notes[0]
    assert reply.body == "It ships\n\ntomorrow morning."  # the thread keeps the words
    assert sent.body == (
        "You have a new reply about order ORD-10042 from"
        f" {order.store.name}: It ships tomorrow morning."
    )
    assert sent.status == Status.SENT
    whatsapp.check_assertions()


def test_a_reply_outside_the_window_without_a_template_is_refused(
    order, staff_user, whatsapp
):
    with at(NOON):
        customer_writes_on_whatsapp()
    with at(DAY_LATER):
        form = MessageForm(order=order, thread=order.thread, allow_internal=True)
        before = Message.objects.count()
        with pytest.raises(ApplicationError, match="only an approved template"):
            services.message_reply(
                order=order, actor=staff_user, body="Hi", channel="whatsapp"
            )

    offered = {option.channel: option.unavailable for option in form.unavailable}
    assert "no reply template" in offered["whatsapp"]
    assert "whatsapp" not in dict(form.fields["channel"].widget.choices)
    assert Message.objects.count() == before
    assert not OutboxMessage.objects.filter(channel=Channel.WHATSAPP).exists()


def test_a_refused_template_fails_for_good_with_the_reason(
    client, order, merchant, admin_member, staff_user, whatsapp
):
    """Graph error 132001 (no such template in that language): failed, not tried
    again, and the reason shows on the reply in the conversation."""
    template(merchant, admin_member, "reply_waiting")
    with at(NOON):
        customer_writes_on_whatsapp()
    with at(DAY_LATER):
        reply = services.message_reply(
            order=order, actor=staff_user, body="Hi", channel="whatsapp"
        )
        whatsapp.expect_oneshot_request(
            GRAPH_MESSAGES, method="POST"
        ).respond_with_json(
            {
                "error": {
                    "message": "(#132001) Template name does not exist in the"
                    " translation",
                    "type": "OAuthException",
                    "code": 132001,
                    "fbtrace_id": "AbCdEf123",
                }
            },
            status=404,
        )
        failed = outbox.deliver(reply.delivery_id)

    assert failed.status == Status.FAILED
    assert failed.next_attempt_at is None
    assert failed.attempts == 1
    assert failed.last_error.startswith(
        "WhatsApp refused the template “reply_waiting_en” (en): no template of that"
        " name is approved in that language."
    )
    assert "132001" in failed.last_error
    client.force_login(staff_user)
    panel = client.get(reverse("messaging:thread", args=[order.pk])).content.decode()
    assert 'data-delivery="failed"' in panel
    assert "no template of that name is approved in that language" in panel


# --- The settings page ---------------------------------------------------------------


def form_data(**values):
    return {
        "purpose": "order_update",
        "name": "order_update_v2",
        "language_code": "sv",
        "body": UPDATE_BODY,
        "parameters": "customer_name, order_number, store_name, update",
        "active": "on",
        **values,
    }


def test_an_admin_adds_changes_and_deletes_a_template(client, admin_member):
    client.force_login(admin_member)

    added = client.post(PAGE, form_data())
    saved = WhatsAppTemplate.objects.get()
    edit = reverse("messaging:whatsapp-template-edit", args=[saved.pk])
    changed = client.post(edit, form_data(name="order_update_v3", active=""))
    saved.refresh_from_db()
    listed = client.get(PAGE).content.decode()
    deleted = client.post(
        reverse("messaging:whatsapp-template-delete", args=[saved.pk])
    )

    assert (added.status_code, changed.status_code, deleted.status_code) == (
        302,
        302,
        302,
    )
    assert (saved.name, saved.language, saved.active) == (
        "order_update_v3",
        "sv",
        False,
    )
    assert saved.parameters == ["customer_name", "order_number", "store_name", "update"]
    assert "order_update_v3" in listed
    assert not WhatsAppTemplate.objects.exists()
    assert list(
        AuditEvent.objects.filter(action__startswith="whatsapp_template.")
        .order_by("pk")
        .values_list("action", flat=True)
    ) == [
        "whatsapp_template.created",
        "whatsapp_template.updated",
        "whatsapp_template.deleted",
    ]


@pytest.mark.parametrize(
    ("values", "says"),
    [
        ({"parameters": "order_number, first_name"}, "Unknown: first_name"),
        ({"parameters": "order_number"}, "The body has 4 placeholders"),
        (
            {"purpose": "order_update", "parameters": "reply_text, a, b, c"},
            "Unknown: reply_text, a, b, c",
        ),
        ({"name": "Order Update!"}, "lowercase letters, digits and underscores"),
        ({"body": "Hi {{1}} and {{3}}"}, "without gaps"),
    ],
)
def test_a_template_that_cannot_work_is_refused_saying_why(
    client, admin_member, values, says
):
    client.force_login(admin_member)

    response = client.post(PAGE, form_data(**values))

    assert response.status_code == 400
    assert says in response.content.decode()
    assert not WhatsAppTemplate.objects.exists()


def test_a_second_template_for_one_purpose_and_language_is_refused(
    client, admin_member
):
    """en_GB and en are both English: one English template per purpose."""
    client.force_login(admin_member)
    client.post(PAGE, form_data(language_code="en"))

    response = client.post(PAGE, form_data(name="other", language_code="en_GB"))

    assert response.status_code == 400
    assert "already a template for this purpose in this language" in (
        response.content.decode()
    )
    assert WhatsAppTemplate.objects.count() == 1


def test_another_merchants_admin_finds_no_template(
    client, merchant, admin_member, other_store
):
    saved = template(merchant, admin_member, "reply_waiting")
    other_admin = UserFactory(username="other-admin")
    MembershipFactory(
        user=other_admin, merchant=other_store.merchant, role=Membership.Role.ADMIN
    )
    client.force_login(other_admin)

    edit = reverse("messaging:whatsapp-template-edit", args=[saved.pk])
    delete = reverse("messaging:whatsapp-template-delete", args=[saved.pk])
    answers = [
        client.get(edit).status_code,
        client.post(edit, form_data(name="taken")).status_code,
        client.post(delete).status_code,
    ]
    listed = client.get(PAGE)

    assert answers == [404, 404, 404]
    assert listed.status_code == 200
    assert "reply_waiting_en" not in listed.content.decode()
    saved.refresh_from_db()
    assert saved.name == "reply_waiting_en"


@pytest.mark.parametrize("who", ["staff", "customer"])
def test_staff_and_customers_are_refused(
    client, merchant, admin_member, staff_user, customer, who
):
    saved = template(merchant, admin_member, "reply_waiting")
    client.force_login(staff_user if who == "staff" else customer.user)

    answers = [
        client.get(PAGE).status_code,
        client.post(PAGE, form_data()).status_code,
        client.get(
            reverse("messaging:whatsapp-template-edit", args=[saved.pk])
        ).status_code,
        client.post(
            reverse("messaging:whatsapp-template-delete", args=[saved.pk])
        ).status_code,
    ]

    assert answers == [403, 403, 403, 403]
    assert WhatsAppTemplate.objects.get().name == "reply_waiting_en"
