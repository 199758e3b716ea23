import pytest

from messaging import email_threads, matching, services
from messaging.models import Message
from orders.state_machine import OrderStatus
from tests.factories import CustomerFactory, OrderFactory, StoreFactory

pytestmark = pytest.mark.django_db

Channel = Message.Channel


def receive(**kwargs) -> Message:
    kwargs.setdefault("body", "")
    return services.message_receive(**kwargs)


@pytest.fixture
def anna(merchant):
    return CustomerFactory(
        merchant=merchant, email="anna@customer.example", phone="+46701234567"
    )


# --- By order number -----------------------------------------------------------------


def test_an_order_number_in_the_subject_finds_the_order(store):
    """Anyone quoting a number in the store's format reaches that order."""
    order = OrderFactory(store=store, order_number="ORD-10042")
    message = receive(
        channel=Channel.EMAIL,
        sender="stranger@elsewhere.example",
        subject="Where is ord-10042?",
    )
    assert message.thread.order == order
    assert message.author_customer is None


def test_an_order_number_with_a_hash_in_the_text_finds_the_order(store):
    order = OrderFactory(store=store, order_number="#1042")
    message = receive(
        channel=Channel.SMS, sender="+46709999999", body="Any news on #1042 please"
    )
    assert message.thread.order == order


def test_a_store_with_its_own_number_format_is_matched_by_it(store):
    """A format the default pattern does not read ("NG-2026/0042") is found by the
    store's order_number_pattern, for mail sent to that store."""
    store.order_number_pattern = r"NG-\d{4}/\d{4}"
    store.support_email = "support@nordic.example"
    store.save(update_fields=["order_number_pattern", "support_email"])
    order = OrderFactory(store=store, order_number="NG-2026/0042")
    inbound = matching.Inbound(
        channel=Channel.EMAIL,
        sender="stranger@elsewhere.example",
        recipient="support@nordic.example",
        subject="Question about NG-2026/0042",
    )
    match = matching.match_inbound(inbound)
    assert (match.order, match.how) == (order, "order_number")


def test_a_bare_number_only_counts_for_the_senders_own_order(store, anna):
    """ "10042" could be a postcode or an amount: it names an order only when the
    order is the sender's, and then even an older one."""
    quoted = OrderFactory(store=store, customer=anna, order_number="10042")
    OrderFactory(store=store, customer=anna, order_number="10077")
    from_anna = matching.match_inbound(
        matching.Inbound(
            channel=Channel.EMAIL, sender="anna@customer.example", body="About 10042"
        )
    )
    assert (from_anna.order, from_anna.how) == (quoted, "order_number")

    from_stranger = receive(
        channel=Channel.EMAIL, sender="stranger@elsewhere.example", body="About 10042"
    )
    assert from_stranger.thread is None


def test_the_same_number_at_two_merchants_is_left_unmatched(store, other_store):
    OrderFactory(store=store, order_number="ORD-10042")
    OrderFactory(store=other_store, order_number="ORD-10042")
    message = receive(
        channel=Channel.EMAIL, sender="stranger@elsewhere.example", body="ORD-10042"
    )
    assert message.thread is None


def test_the_recipient_store_decides_between_two_merchants(store, other_store):
    other_store.support_email = "help@other.example"
    other_store.save(update_fields=["support_email"])
    OrderFactory(store=store, order_number="ORD-10042")
    theirs = OrderFactory(store=other_store, order_number="ORD-10042")
    message = receive(
        channel=Channel.EMAIL,
        sender="stranger@elsewhere.example",
        recipient="help+orders@other.example",
        body="ORD-10042",
    )
    assert message.thread.order == theirs


# --- By thread token ---------------------------------------------------------------------


@pytest.mark.parametrize("header", ["In-Reply-To", "References"])
def test_a_reply_to_our_email_finds_its_thread_by_token(store, anna, header):
    """No number, a different sender address: the token in the Message-ID we sent,
    carried back in In-Reply-To or References, names the thread."""
    order = OrderFactory(store=store, customer=anna, order_number="ORD-10042")
    OrderFactory(store=store, customer=anna, order_number="ORD-10077")
    thread = services.thread_get_or_create(order=order)
    ours = email_threads.thread_message_id(thread)
    references = (
        (ours,) if header == "In-Reply-To" else (f"<first@customer.example> {ours}",)
    )
    match = matching.match_inbound(
        matching.Inbound(
            channel=Channel.EMAIL,
            sender="anna.at.work@company.example",
            subject="Re: your order",
            body="Thanks!",
            references=references,
        )
    )
    assert (match.order, match.how) == (order, "thread_token")


def test_the_thread_token_beats_a_number_in_the_quoted_text(store, anna):
    order = OrderFactory(store=store, customer=anna, order_number="ORD-10042")
    OrderFactory(store=store, order_number="ORD-10077")
    thread = services.thread_get_or_create(order=order)
    message = receive(
        channel=Channel.EMAIL,
        sender="anna@customer.example",
        body="Is this like ORD-10077?",
        references=[email_threads.thread_message_id(thread)],
    )
    assert message.thread == thread


# --- By sender ------------------------------------------------------------------------


def test_a_known_email_address_finds_the_customers_most_recent_open_order(store, anna):
    OrderFactory(store=store, customer=anna, order_number="ORD-1")
    recent = OrderFactory(store=store, customer=anna, order_number="ORD-2")
    OrderFactory(
        store=store, customer=anna, order_number="ORD-3", status=OrderStatus.CANCELLED
    )
    message = receive(
        channel=Channel.EMAIL, sender="Anna@Customer.Example", body="Any news?"
    )
    assert message.thread.order == recent
    assert message.author_customer == anna


def test_a_customer_with_an_open_conversation_continues_it(store, anna):
    """A message without a number goes to the conversation they are having, not
    to their newest order."""
    talking = OrderFactory(store=store, customer=anna, order_number="ORD-1")
    receive(channel=Channel.EMAIL, sender=anna.email, body="About ORD-1")
    OrderFactory(store=store, customer=anna, order_number="ORD-2")
    message = receive(channel=Channel.EMAIL, sender=anna.email, body="And?")
    assert message.thread.order == talking


@pytest.mark.parametrize(
    ("channel", "sender"),
    [
        (Channel.SMS, "+46 70-123 45 67"),
        (Channel.SMS, "+46701234567"),
        (Channel.WHATSAPP, "46701234567"),  # WhatsApp's wa_id: no +
    ],
)
def test_a_known_phone_number_finds_the_customers_order(store, anna, channel, sender):
    order = OrderFactory(store=store, customer=anna, order_number="ORD-10042")
    match = matching.match_inbound(
        matching.Inbound(channel=channel, sender=sender, body="Where is it?")
    )
    assert (match.order, match.how, match.customer) == (order, "sender", anna)


def test_one_address_at_two_merchants_is_not_guessed(store, other_store, anna):
    OrderFactory(store=store, customer=anna)
    twin = CustomerFactory(merchant=other_store.merchant, email=anna.email)
    OrderFactory(store=other_store, customer=twin)
    message = receive(channel=Channel.EMAIL, sender=anna.email, body="Hello?")
    assert message.thread is None
    assert message.merchant is None


# --- Unmatched --------------------------------------------------------------------------


def test_an_unmatched_message_to_a_store_is_kept_in_its_merchants_inbox(
    store, staff_user
):
    store.support_email = "support@nordic.example"
    store.save(update_fields=["support_email"])
    message = receive(
        channel=Channel.EMAIL,
        sender="stranger@elsewhere.example",
        recipient="support@nordic.example",
        body="Do you ship to Norway?",
    )
    assert message.thread is None
    assert message.merchant == store.merchant
    assert message.body == "Do you ship to Norway?"
    assert message.notifications.filter(user=staff_user).exists()


def test_an_unmatched_whatsapp_message_names_the_merchant_by_its_line(store):
    store.whatsapp_phone_number_id = "106540352242922"
    store.save(update_fields=["whatsapp_phone_number_id"])
    message = receive(
        channel=Channel.WHATSAPP,
        sender="+4798765432",
        recipient="106540352242922",
        body="Hi",
    )
    assert (message.thread, message.merchant) == (None, store.merchant)


def test_a_message_to_no_known_store_is_kept_for_the_platform(db):
    StoreFactory()
    message = receive(
        channel=Channel.SMS, sender="+46709999999", recipient="+15550001", body="Hi"
    )
    assert message.thread is None
    assert message.merchant is None
    assert Message.objects.filter(pk=message.pk).exists()


def test_a_very_long_inbound_message_is_cut_not_refused(db):
    """Nothing a customer sent is dropped: an overlong body is kept, shortened."""
    message = receive(
        channel=Channel.EMAIL,
        sender="x@y.example",
        body="a" * (services.BODY_LIMIT + 500),
    )
    assert len(message.body) == services.BODY_LIMIT


def test_a_phone_two_customers_share_reaches_neither_ones_order(store, anna):
    """docs/customers.md: a phone identifies someone only when unambiguous; an SMS
    from a shared phone is not filed into either customer's thread."""
    sibling = CustomerFactory(
        merchant=store.merchant, email="sibling@example.com", phone=anna.phone
    )
    OrderFactory(store=store, customer=anna, status=OrderStatus.SHIPPED)
    OrderFactory(store=store, customer=sibling, status=OrderStatus.SHIPPED)
    message = receive(channel=Channel.SMS, sender=anna.phone, body="Hello?")
    assert message.thread is None
    assert message.author_customer is None
