import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from messaging import services
from messaging.models import Message, SupportNotification, ThreadReadState
from messaging.selectors import unmatched_messages
from orders.state_machine import OrderStatus
from performile.models import AuditEvent
from tests.factories import CustomerFactory, OrderFactory

pytestmark = pytest.mark.django_db

MESSAGES = reverse("portal:messages")
NEW = reverse("portal:messages_new")


def send_url(order):
    return reverse("portal:messages_send", args=[order.pk])


def thread_url(order):
    return f"{MESSAGES}?order={order.pk}"


@pytest.fixture
def order(store, portal_customer):
    return OrderFactory(store=store, customer=portal_customer, order_number="ORD-10001")


@pytest.fixture
def other_order(store, other_portal_user):
    return OrderFactory(
        store=store, customer=other_portal_user.customer, order_number="ORD-20002"
    )


def test_thread_shows_what_the_customer_may_see(portal, portal_user, staff_user, order):
    services.message_send_in_app(order=order, actor=portal_user, body="Where is it?")
    services.message_reply(
        order=order, actor=staff_user, body="On its way today.", channel="in_app"
    )
    services.message_add_note(order=order, actor=staff_user, body="SECRET NOTE")
    services.message_add_system(order=order, body="Status changed to Shipped.")
    Message.objects.create(  # a stranger quoting the order number
        thread=order.thread,
        merchant_id=order.merchant_id,
        channel="email",
        direction="inbound",
        sender="stranger@example.net",
        body="STRANGER TEXT",
    )

    page = portal.get(thread_url(order)).content.decode()

    assert "Where is it?" in page
    assert "On its way today." in page
    assert "Status changed to Shipped." in page
    assert "SECRET NOTE" not in page
    assert "STRANGER TEXT" not in page


def test_the_live_fragment_of_the_messages_shows_the_answer_and_reads_nothing(
    portal, portal_user, staff_user, order, other_order
):
    """What the open conversation swaps in when something is written: the
    messages as the customer sees them (no notes), the reply box left out, and
    nothing marked read (the customer may not be looking); another customer's
    order is 404."""
    services.message_send_in_app(order=order, actor=portal_user, body="Where is it?")
    page = portal.get(thread_url(order)).content.decode()
    assert 'data-live-part="messages"' in page
    assert "data-portal-live" in page  # the page listens
    services.message_reply(
        order=order, actor=staff_user, body="On its way today.", channel="in_app"
    )
    services.message_add_note(order=order, actor=staff_user, body="SECRET NOTE")
    live = reverse("portal:orders_live", args=[order.pk])

    response = portal.get(live, {"part": "messages"})

    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith("<div")
    assert f'data-live-order="{order.pk}"' in html
    assert "On its way today." in html
    assert "SECRET NOTE" not in html
    assert "<form" not in html
    reply = Message.objects.get(body="On its way today.")
    assert not ThreadReadState.objects.filter(
        user=portal_user, last_read_id__gte=reply.pk
    ).exists()
    other = reverse("portal:orders_live", args=[other_order.pk])
    assert portal.get(other, {"part": "messages"}).status_code == 404


def test_reply_goes_into_the_thread_and_tells_staff(
    portal, portal_user, portal_customer, staff_user, order
):
    response = portal.post(
        send_url(order), {"body": "Can you deliver on Friday?"}, HTTP_HX_REQUEST="true"
    )

    assert response.status_code == 200
    assert "Can you deliver on Friday?" in response.content.decode()
    message = Message.objects.get(thread__order=order)
    assert message.direction == Message.Direction.INBOUND
    assert message.channel == Message.Channel.IN_APP
    assert message.author_customer == portal_customer
    assert order.thread.awaiting_reply_since is not None
    assert SupportNotification.objects.filter(user=staff_user, message=message).exists()
    assert AuditEvent.objects.filter(
        action="message.sent", actor=portal_user, object_id=str(message.pk)
    ).exists()


def test_reply_without_script_redirects_to_the_thread(portal, order):
    response = portal.post(send_url(order), {"body": "Hello"})
    assert response.status_code == 302
    assert response["Location"] == thread_url(order)


def test_empty_reply_is_refused_and_nothing_stored(portal, order):
    response = portal.post(send_url(order), {"body": "  "}, HTTP_HX_REQUEST="true")
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert not Message.objects.exists()


def test_another_customers_thread_is_404(portal, other_portal_user, other_order):
    services.message_send_in_app(
        order=other_order, actor=other_portal_user, body="Olle's question"
    )
    assert portal.get(thread_url(other_order)).status_code == 404
    assert portal.post(send_url(other_order), {"body": "Hi"}).status_code == 404
    assert portal.get(f"{MESSAGES}?order=nonsense").status_code == 404
    assert Message.objects.count() == 1


def test_conversations_newest_first_with_unread_marker(
    portal, portal_user, staff_user, store, portal_customer, order
):
    older = OrderFactory(store=store, customer=portal_customer, order_number="ORD-1")
    services.message_send_in_app(order=older, actor=portal_user, body="Old question")
    services.message_send_in_app(order=order, actor=portal_user, body="New question")
    services.message_reply(
        order=order, actor=staff_user, body="Fresh answer", channel="in_app"
    )

    page = portal.get(MESSAGES).content.decode()

    assert page.index("ORD-10001") < page.index("ORD-1<")
    assert "1 new" in page

    portal.get(thread_url(order))  # opening the thread reads it
    order.thread.refresh_from_db()
    state = ThreadReadState.objects.get(thread=order.thread, user=portal_user)
    assert state.last_read_id == order.thread.last_message_id
    assert "1 new" not in portal.get(MESSAGES).content.decode()


def test_list_queries_do_not_grow_with_conversations(
    portal, portal_user, store, portal_customer
):
    def conversation():
        o = OrderFactory(store=store, customer=portal_customer)
        services.message_send_in_app(order=o, actor=portal_user, body="Question")
        services.message_send_general(
            customer=portal_customer, actor=portal_user, body="Other"
        )

    def queries() -> int:
        with CaptureQueriesContext(connection) as context:
            assert portal.get(MESSAGES).status_code == 200
        return len(context)

    conversation()
    queries()  # the first request also saves the session
    few = queries()
    for _ in range(10):
        conversation()
    assert queries() == few <= 16


def test_contact_support_defaults_to_the_newest_active_order(
    portal, store, portal_customer, order
):
    OrderFactory(
        store=store, customer=portal_customer, status=OrderStatus.COMPLETE
    )  # newer, but done
    page = portal.get(NEW).content.decode()
    assert re.search(rf'<option value="{order.pk}" selected>', page)
    assert "Something else (not about an order)" in page


def test_contact_support_about_an_order_continues_its_thread(
    portal, portal_user, order
):
    services.message_send_in_app(order=order, actor=portal_user, body="First")
    response = portal.post(NEW, {"about": order.pk, "body": "Second"})
    assert response.status_code == 302
    assert response["Location"] == thread_url(order)
    assert list(order.thread.messages.values_list("body", flat=True)) == [
        "First",
        "Second",
    ]


def test_contact_support_about_someone_elses_order_is_refused(portal, other_order):
    response = portal.post(NEW, {"about": other_order.pk, "body": "Hi"})
    assert response.status_code == 400
    assert not Message.objects.exists()


def test_general_question_lands_unmatched_for_the_merchant(
    portal, portal_user, portal_customer, staff_user, other_merchant_staff, order
):
    response = portal.post(NEW, {"about": "general", "body": "Do you sell gifts?"})

    assert response.status_code == 302
    message = Message.objects.get()
    assert message.thread is None
    assert message.merchant_id == portal_customer.merchant_id
    assert message.author_customer == portal_customer
    assert message.sender == portal_customer.email
    assert message.direction == Message.Direction.INBOUND
    assert list(unmatched_messages(staff_user)) == [message]
    assert list(unmatched_messages(other_merchant_staff)) == []
    assert SupportNotification.objects.filter(user=staff_user, message=message).exists()
    assert AuditEvent.objects.filter(action="message.sent", actor=portal_user).exists()
    assert "Waiting for support" in portal.get(MESSAGES).content.decode()

    services.message_link(message=message, order=order, actor=staff_user)

    assert "Moved to order ORD-10001" in portal.get(MESSAGES).content.decode()


def test_general_question_by_htmx_redirects_the_client(portal):
    response = portal.post(
        NEW, {"about": "general", "body": "Hello"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert response["HX-Redirect"].startswith(MESSAGES)


def test_only_the_customer_sends_their_general_question(portal_customer, staff_user):
    from performile.errors import NotAllowed

    with pytest.raises(NotAllowed):
        services.message_send_general(
            customer=portal_customer, actor=staff_user, body="Hi"
        )


def test_customer_of_another_merchant_cannot_see_the_thread(
    client, store, other_store, order
):
    from tests.factories import UserFactory

    user = UserFactory()
    CustomerFactory(merchant=other_store.merchant, user=user)
    client.force_login(user)
    assert client.get(thread_url(order)).status_code == 404


def test_thread_queries_do_not_grow_with_messages(
    portal, portal_user, staff_user, order
):
    def exchange():
        services.message_send_in_app(order=order, actor=portal_user, body="Q")
        services.message_reply(
            order=order, actor=staff_user, body="A", channel="in_app"
        )

    def queries() -> int:
        with CaptureQueriesContext(connection) as context:
            assert portal.get(thread_url(order)).status_code == 200
        return len(context)

    exchange()
    queries()
    few = queries()
    for _ in range(8):
        exchange()
    portal.get(thread_url(order))  # reads the new replies (writes receipts)
    assert queries() == few
