import pytest
from django.db import DatabaseError, connection, transaction

from messaging import services
from messaging.models import Message, Thread
from messaging.selectors import thread_messages, thread_unread_count
from performile.errors import NotAllowed
from performile.models import AuditEvent, OutboxMessage
from tests.factories import CustomerFactory, OrderFactory


@pytest.fixture
def order(store, customer):
    return OrderFactory(store=store, customer=customer, order_number="ORD-10042")


def test_an_email_naming_the_order_lands_in_its_thread(order, staff_user):
    message = services.message_receive(
        channel=Message.Channel.EMAIL,
        sender="someone@elsewhere.example",
        subject="Where is ORD-10042?",
        body="It has been a week.",
        provider_message_id="<abc@mail.example>",
    )
    assert message.thread.order == order
    assert message.thread.awaiting_reply_since == message.created_at
    assert message.notifications.filter(user=staff_user).exists()


def test_the_same_provider_message_twice_is_one_message(order):
    kwargs = {
        "channel": Message.Channel.SMS,
        "sender": "+46701234567",
        "body": "ORD-10042?",
        "provider_message_id": "SM1",
    }
    first = services.message_receive(**kwargs)
    second = services.message_receive(**kwargs)
    assert first.pk == second.pk
    assert Message.objects.count() == 1


def test_a_message_matching_nothing_is_kept_unmatched(db):
    message = services.message_receive(
        channel=Message.Channel.EMAIL, sender="x@y.example", body="Hello?"
    )
    assert message.thread is None


def sql_refused(statements: list[str], pk: int) -> None:
    """Each statement, run on row `pk`, is refused by the immutability trigger."""
    for statement in statements:
        with (
            pytest.raises(DatabaseError, match="immutable"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(statement, [pk])


def test_messages_cannot_be_updated_or_deleted_in_sql(order, staff_user):
    message = services.message_add_note(order=order, actor=staff_user, body="Fraud?")
    sql_refused(
        [
            "UPDATE messaging_message SET body = 'rewritten' WHERE id = %s",
            "DELETE FROM messaging_message WHERE id = %s",
        ],
        message.pk,
    )
    message.refresh_from_db()
    assert message.body == "Fraud?"


def test_attachments_cannot_be_updated_or_deleted_in_sql(order):
    message = services.message_receive(
        channel=Message.Channel.EMAIL,
        sender="x@y.example",
        body="ORD-10042: the receipt",
        attachments=[
            services.IncomingAttachment("receipt.pdf", b"%PDF-1.4", "application/pdf")
        ],
    )
    attachment = message.attachments.get()
    sql_refused(
        [
            "UPDATE messaging_attachment SET filename = 'other.pdf' WHERE id = %s",
            "DELETE FROM messaging_attachment WHERE id = %s",
            # Blanking is for a redacted message's file only.
            "UPDATE messaging_attachment SET file = '', size = 0,"
            " filename = 'removed' WHERE id = %s",
        ],
        attachment.pk,
    )
    assert message.attachments.get().filename == "receipt.pdf"


def test_staff_link_an_unmatched_message_once(order, staff_user):
    message = services.message_receive(
        channel=Message.Channel.EMAIL, sender="x@y.example", body="Hello?"
    )
    services.message_link(message=message, order=order, actor=staff_user)
    message.refresh_from_db()
    assert message.thread.order == order
    assert AuditEvent.objects.filter(action="message.linked").count() == 1


def test_a_staff_reply_goes_out_by_email_threaded(order, staff_user, customer):
    inbound = services.message_receive(
        channel=Message.Channel.EMAIL,
        sender=customer.email,
        subject="ORD-10042",
        body="Where?",
        provider_message_id="<q1@mail.example>",
    )
    reply = services.message_reply(order=order, actor=staff_user, body="Tomorrow.")
    delivery = reply.delivery
    assert delivery.channel == OutboxMessage.Channel.EMAIL
    assert delivery.recipient == customer.email
    assert delivery.headers["In-Reply-To"] == "<q1@mail.example>"
    assert f"<t-{inbound.thread.token}." in delivery.headers["Message-ID"]
    assert reply.response_seconds is not None
    thread = Thread.objects.get(order=order)
    assert thread.awaiting_reply_since is None


def test_internal_notes_are_hidden_from_customers(order, staff_user, customer):
    services.message_add_note(order=order, actor=staff_user, body="Fraud flag")
    with pytest.raises(NotAllowed):
        services.message_add_note(order=order, actor=customer.user, body="x")
    assert not thread_messages(customer.user, order).exists()
    assert thread_messages(staff_user, order).count() == 1


def test_reading_clears_unread(order, staff_user, customer):
    services.message_send_in_app(order=order, actor=customer.user, body="Hi")
    last = services.message_send_in_app(order=order, actor=customer.user, body="?")
    thread = last.thread
    assert thread_unread_count(staff_user, thread) == 2
    assert thread_unread_count(customer.user, thread) == 0
    assert services.messages_mark_read(order=order, message=last, user=staff_user) == 2
    assert thread_unread_count(staff_user, thread) == 0


def test_sender_phone_finds_the_customers_open_order(store):
    customer = CustomerFactory(merchant=store.merchant, phone="+46701234567")
    order = OrderFactory(store=store, customer=customer)
    message = services.message_receive(
        channel=Message.Channel.WHATSAPP, sender="46701234567", body="Hej!"
    )
    assert message.thread.order == order
    assert message.author_customer == customer
