import json
from decimal import Decimal

import pytest

from invoices.models import Invoice, Payment
from invoices.receivers import invoice_confirmed_order, record_logged_payment
from invoices.selectors import PaymentStatus, with_balance
from orders import live
from orders.discord.invocation import ADMINISTRATOR
from orders.models import Customer, Membership, Order, OrderEvent, Source
from orders.state_machine import OrderStatus
from performile.models import OutboxMessage
from tests.discord.conftest import ADMIN_ID, CUSTOMER_ID, GUILD_ID, text_of
from tests.factories import MembershipFactory, OrderFactory, UserFactory

pytestmark = pytest.mark.django_db

NEW_CUSTOMER_ID = "700000000000000099"


def options(**overrides):
    values = {
        "user": CUSTOMER_ID,
        "order_id": "STRIPE_123456",
        "service": "Bot Development",
        "payment_method": "stripe",
        "amount": "$150.00",
        "notes": "Premium bot with dashboard",
    }
    values.update(overrides)
    return {name: value for name, value in values.items() if value is not None}


@pytest.fixture
def add(interact):
    def send(resolved=None, **overrides):
        return interact(
            "addorder",
            options(**overrides),
            as_admin=True,
            resolved_users=resolved or {CUSTOMER_ID: "kai"},
        )

    return send


@pytest.fixture
def linked_admin(merchant):
    user = UserFactory(username="desk-admin", first_name="Ada", last_name="Admin")
    MembershipFactory(
        user=user,
        merchant=merchant,
        role=Membership.Role.ADMIN,
        discord_user_id=ADMIN_ID,
    )
    return user


def counts():
    return (
        Order.objects.count(),
        OrderEvent.objects.count(),
        Customer.objects.count(),
        OutboxMessage.objects.count(),
    )


def test_an_admin_adds_a_paid_order_for_a_new_customer(
    add, store, django_capture_on_commit_callbacks
):
    """The customer is linked from the Discord user, the order starts in payment
    verified, the payment is logged, invoiced and paid, and the customer gets a DM."""
    with django_capture_on_commit_callbacks(execute=True):
        answer = add(
            resolved={NEW_CUSTOMER_ID: "newbie"},
            user=NEW_CUSTOMER_ID,
            amount="150 USD",
        )

    assert answer["data"]["flags"] == 64
    shown = text_of(answer)
    assert "Order STRIPE_123456" in shown
    assert "Payment Verified" in shown
    assert "The customer was sent a DM" in shown
    order = Order.objects.get(store=store, order_number="STRIPE_123456")
    assert order.source == Source.DISCORD
    assert order.status == OrderStatus.PAYMENT_VERIFIED
    assert (order.service, order.payment_method) == ("Bot Development", "stripe")
    assert (order.amount, order.currency) == (Decimal("150.00"), "USD")
    assert order.notes == "Premium bot with dashboard"
    customer = order.customer
    assert (customer.discord_user_id, customer.name) == (NEW_CUSTOMER_ID, "newbie")
    assert customer.merchant_id == store.merchant_id

    label = f"Discord user admin ({ADMIN_ID})"
    created = order.events.get(kind=OrderEvent.Kind.CREATED)
    assert (created.actor, created.actor_label) == (None, label)
    logged = order.events.get(kind=OrderEvent.Kind.NOTE, actor_label=label)
    assert logged.note == f"Payment of 150.00 USD by Stripe verified by {label}"

    invoice = with_balance(Invoice.objects.filter(order=order)).get()
    payment = Payment.objects.get(order=order)
    assert payment.invoice == invoice
    assert (payment.amount, payment.currency, payment.method) == (
        Decimal("150.00"),
        "USD",
        Payment.Method.STRIPE,
    )
    assert payment.reference == "STRIPE_123456"
    assert invoice.payment_status == PaymentStatus.PAID

    dm = OutboxMessage.objects.get(channel=OutboxMessage.Channel.DISCORD)
    assert dm.recipient == NEW_CUSTOMER_ID
    assert dm.order_id == order.pk
    assert dm.headers == {"kind": "dm", "guild_id": GUILD_ID}
    body = json.loads(dm.body)
    assert "Order ID: **STRIPE_123456**" in body["content"]
    assert "/trackorder order_id:STRIPE_123456" in body["content"]
    assert body["embeds"][0]["title"] == "Order STRIPE_123456"


def test_an_existing_discord_customer_is_reused(add, discord_customer, store):
    add()
    order = Order.objects.get(order_number="STRIPE_123456")
    assert order.customer == discord_customer
    assert Customer.objects.filter(discord_user_id=CUSTOMER_ID).count() == 1
    assert (order.amount, order.currency) == (Decimal("150.00"), "USD")


def test_a_linked_staff_member_is_the_actor(add, linked_admin):
    add()
    order = Order.objects.get(order_number="STRIPE_123456")
    assert order.created_by == linked_admin
    created = order.events.get(kind=OrderEvent.Kind.CREATED)
    assert created.actor == linked_admin
    assert created.actor_label == f"Discord user admin ({ADMIN_ID})"
    assert order.events.filter(
        kind=OrderEvent.Kind.NOTE, actor=linked_admin, note__endswith="by Ada Admin"
    ).exists()


def test_the_new_order_is_broadcast_live(add, django_capture_on_commit_callbacks):
    """Open Orders views hear about it: a live broadcast waits for the commit."""
    with django_capture_on_commit_callbacks() as callbacks:
        add()
    assert live._flush in [callback.__wrapped__ for callback in callbacks]


@pytest.mark.parametrize(
    ("raw", "amount", "currency"),
    [
        ("$150.00", "150.00", "USD"),
        ("150", "150.00", "EUR"),
        ("€99,50", "99.50", "EUR"),
        ("150 USD", "150.00", "USD"),
    ],
)
def test_amounts_as_people_type_them(add, raw, amount, currency):
    add(amount=raw)
    order = Order.objects.get(order_number="STRIPE_123456")
    assert (order.amount, order.currency) == (Decimal(amount), currency)


def test_the_payment_method_may_be_given_by_its_name(add):
    add(payment_method="PayPal")
    assert Order.objects.get().payment_method == "paypal"


def test_administrator_alone_is_enough(interact):
    answer = interact(
        "addorder",
        options(),
        user_id=ADMIN_ID,
        username="admin",
        permissions=ADMINISTRATOR,
        resolved_users={CUSTOMER_ID: "kai"},
    )
    assert "✅" in text_of(answer)
    assert Order.objects.filter(order_number="STRIPE_123456").exists()


def test_without_manage_server_permission_is_denied(interact):
    before = counts()
    answer = interact(
        "addorder", options(), permissions=0, resolved_users={CUSTOMER_ID: "kai"}
    )
    assert answer["data"]["content"] == "❌ Permission denied"
    assert answer["data"]["flags"] == 64
    assert counts() == before


def test_an_order_id_already_used_in_the_store_is_refused(add, store):
    OrderFactory(store=store, order_number="STRIPE_123456")
    before = counts()
    answer = add()
    assert text_of(answer).startswith("❌ Order ID already exists")
    assert answer["data"]["flags"] == 64
    assert counts() == before


@pytest.mark.parametrize("raw", ["abc", "0", "-5", "150.005", ""])
def test_a_bad_amount_is_refused(add, raw):
    before = counts()
    answer = add(amount=raw)
    assert text_of(answer).startswith("❌ Invalid amount")
    assert counts() == before


def test_an_unknown_payment_method_is_refused(add):
    before = counts()
    answer = add(payment_method="gift card")
    assert text_of(answer).startswith("❌ Invalid payment method")
    assert "stripe" in text_of(answer)
    assert counts() == before


def test_a_failure_midway_leaves_nothing_half_written(add, store, monkeypatch):
    """Refused after the customer and order were written: all of it is undone."""
    from orders.discord.services import add as service

    def refuse(**kwargs):
        raise service.ApplicationError("The outbox is closed.")

    monkeypatch.setattr(service, "send_dm", refuse)
    before = counts()
    answer = add(resolved={NEW_CUSTOMER_ID: "newbie"}, user=NEW_CUSTOMER_ID)
    assert text_of(answer) == "❌ Failed to add order: The outbox is closed."
    assert counts() == before


# Two domain events follow the commit: order_created (invoices issues the invoice)
# and order_payment_logged (invoices records the payment). Either may come first.


@pytest.fixture
def paid_order(store, discord_customer):
    return OrderFactory(
        store=store,
        customer=discord_customer,
        status=OrderStatus.PAYMENT_VERIFIED,
        amount=Decimal("150.00"),
        currency="EUR",
        service="Bot Development",
    )


def _record(order, method="stripe"):
    return record_logged_payment(
        order.pk,
        amount=Decimal("150.00"),
        currency="EUR",
        method=method,
        reference=order.order_number,
    )


def _status(invoice):
    return with_balance(Invoice.objects.filter(pk=invoice.pk)).get().payment_status


def test_a_payment_logged_after_the_invoice_pays_it(paid_order):
    invoice = invoice_confirmed_order(paid_order.pk)
    payment = _record(paid_order)
    assert payment.invoice == invoice
    assert _status(invoice) == PaymentStatus.PAID


def test_a_payment_logged_before_the_invoice_waits_and_then_pays_it(paid_order):
    payment = _record(paid_order, method="crypto")
    assert payment.invoice is None
    assert payment.method == Payment.Method.OTHER
    invoice = invoice_confirmed_order(paid_order.pk)
    payment.refresh_from_db()
    assert payment.invoice == invoice
    assert _status(invoice) == PaymentStatus.PAID
