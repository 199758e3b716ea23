"""The change feed carries the conversations' changes, so a page that was offline
(a closed laptop, a dropped socket) catches up on messages when it reads the feed:
the customer's messages for the team, the team's replies for the customer, a thread
closed. The timelines never show these marks.

The feed only shows committed transactions, so these tests commit for real."""

import pytest
from rest_framework.test import APIClient

from messaging import services
from messaging.models import Message
from orders.models import OrderEvent
from tests.factories import CustomerFactory, OrderFactory

pytestmark = pytest.mark.django_db(transaction=True)
URL = "/api/orders/changes"


def feed(user, since=None):
    client = APIClient()
    client.force_authenticate(user)
    response = client.get(URL, {"since": since} if since else {})
    assert response.status_code == 200, response.content
    return response.json()


def kinds(page, order):
    return [c["kind"] for c in page["changes"] if c["order_id"] == order.pk]


@pytest.fixture
def order(store, customer):
    return OrderFactory(store=store, customer=customer, order_number="ORD-70001")


def test_a_customers_message_and_the_reply_are_in_the_feed(
    order, customer, staff_user, other_merchant_staff
):
    staff_start = feed(staff_user)["next"]
    customer_start = feed(customer.user)["next"]
    stranger_start = feed(other_merchant_staff)["next"]

    services.message_send_in_app(order=order, actor=customer.user, body="Hello?")
    services.message_reply(order=order, actor=staff_user, body="Hi!", channel="in_app")
    services.thread_close(order=order, actor=staff_user)

    staff_page = feed(staff_user, staff_start)
    assert kinds(staff_page, order) == ["message", "message_reply", "thread"]
    assert [o["id"] for o in staff_page["orders"]] == [order.pk]
    assert kinds(feed(customer.user, customer_start), order) == [
        "message",
        "message_reply",
        "thread",
    ]
    assert kinds(feed(other_merchant_staff, stranger_start), order) == []


def test_an_internal_note_never_reaches_the_customers_feed(order, customer, staff_user):
    start = feed(customer.user)["next"]

    services.message_add_note(order=order, actor=staff_user, body="VIP")

    assert kinds(feed(customer.user, start), order) == []


def test_the_marks_stay_out_of_the_timeline(order, customer, staff_user):
    services.message_send_in_app(order=order, actor=customer.user, body="Hello?")

    assert OrderEvent.feed_events.filter(order=order, kind="conversation").count() == 1
    assert list(order.events.all()) == []
    assert not OrderEvent.objects.filter(order=order).exists()


def test_a_message_linked_from_the_unmatched_inbox_is_in_the_feed(store, staff_user):
    customer = CustomerFactory(merchant=store.merchant)
    order = OrderFactory(store=store, customer=customer)
    message = services.message_receive(
        channel=Message.Channel.EMAIL, sender="who@example.com", body="Hi"
    )
    start = feed(staff_user)["next"]

    services.message_link(message=message, order=order, actor=staff_user)

    assert kinds(feed(staff_user, start), order) == ["message"]


def test_reading_a_conversation_is_in_the_feed_once_per_new_read(
    order, customer, staff_user
):
    services.message_send_in_app(order=order, actor=customer.user, body="Hello?")
    start = feed(staff_user)["next"]
    asked = Message.objects.get(thread__order=order)

    assert services.messages_mark_read(order=order, message=asked, user=staff_user)
    assert not services.messages_mark_read(order=order, message=asked, user=staff_user)

    assert kinds(feed(staff_user, start), order) == ["read"]


def test_the_team_sees_that_the_customer_read_their_reply(
    client, order, customer, staff_user
):
    services.message_send_in_app(order=order, actor=customer.user, body="Hello?")
    reply = services.message_reply(
        order=order, actor=staff_user, body="Hi!", channel="in_app"
    )
    services.messages_mark_read(order=order, message=reply, user=customer.user)

    client.force_login(staff_user)
    html = client.get(
        f"/messages/orders/{order.pk}/", HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "Seen by the customer" in html
