from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
import time_machine

from invoices.models import InvoiceReminder
from invoices.reminders import send_overdue_reminders
from invoices.services import invoice_issue_for_order, invoice_void, payment_record
from invoices.tasks import invoices_send_overdue_reminders
from performile.models import OutboxMessage
from tests.factories import CustomerFactory
from tests.invoices.conftest import make_order

pytestmark = pytest.mark.django_db


def at(*args):
    return time_machine.travel(datetime(*args, tzinfo=UTC), tick=False)


@pytest.fixture
def invoice(store, buyer, profile):
    """50.00 EUR, issued 2 March 2026, due 1 April (Stockholm)."""
    profile.payment_instructions = "Bankgiro 123-4567"
    profile.save()
    return invoice_issue_for_order(
        order=make_order(store, buyer), issue_date=date(2026, 3, 2)
    )


def test_no_reminder_before_the_invoice_is_overdue(invoice):
    with at(2026, 4, 1, 21, 59):  # 23:59 on the due date in Stockholm
        assert send_overdue_reminders() == 0
    assert not OutboxMessage.objects.exists()
    assert not InvoiceReminder.objects.exists()


def test_a_newly_overdue_invoice_gets_one_email(
    invoice, buyer, django_capture_on_commit_callbacks
):
    with at(2026, 4, 1, 22, 0), django_capture_on_commit_callbacks() as callbacks:
        assert send_overdue_reminders() == 1

    message = OutboxMessage.objects.get()
    assert message.channel == OutboxMessage.Channel.EMAIL
    assert message.recipient == buyer.email
    assert message.subject == f"Invoice {invoice.number} is overdue"
    assert message.order_id == invoice.order_id
    assert "50.00 EUR is still outstanding" in message.body
    assert "due on 2026-04-01" in message.body
    assert "Bankgiro 123-4567" in message.body
    assert "Nordic Goods AB" in message.body
    assert len(callbacks) == 1  # sent after commit
    reminder = InvoiceReminder.objects.get()
    assert (reminder.invoice_id, reminder.kind) == (invoice.pk, "overdue")
    assert reminder.outbox_message_id == message.pk
    assert reminder.sent_at == datetime(2026, 4, 1, 22, 0, tzinfo=UTC)


def test_an_invoice_is_never_reminded_twice(invoice):
    with at(2026, 4, 2, 8):
        assert send_overdue_reminders() == 1
        assert send_overdue_reminders() == 0
    with at(2026, 5, 20, 8):
        assert invoices_send_overdue_reminders() == 0
    assert OutboxMessage.objects.count() == 1


def test_the_outstanding_amount_is_what_is_left(invoice):
    payment_record(
        merchant=invoice.merchant,
        invoice=invoice,
        amount=Decimal("20.00"),
        currency="EUR",
        method="bank_transfer",
    )
    send_overdue_reminders(at=datetime(2026, 4, 5, tzinfo=UTC))
    assert "30.00 EUR is still outstanding" in OutboxMessage.objects.get().body


def test_a_paid_or_void_invoice_is_never_reminded(invoice, store, buyer, staff_user):
    payment_record(
        merchant=invoice.merchant,
        invoice=invoice,
        amount=Decimal("50.00"),
        currency="EUR",
        method="card",
    )
    void = invoice_issue_for_order(
        order=make_order(store, buyer), issue_date=date(2026, 3, 2)
    )
    invoice_void(invoice=void, actor=staff_user, reason="Duplicate")

    assert send_overdue_reminders(at=datetime(2026, 6, 1, tzinfo=UTC)) == 0
    assert not OutboxMessage.objects.exists()


def test_a_customer_without_email_gets_an_sms(store, profile, twilio):
    customer = CustomerFactory(
        merchant=store.merchant, email="", phone="+46 70 123 45 67"
    )
    invoice = invoice_issue_for_order(
        order=make_order(store, customer), issue_date=date(2026, 3, 2)
    )

    assert send_overdue_reminders(at=datetime(2026, 4, 2, 8, tzinfo=UTC)) == 1

    message = OutboxMessage.objects.get()
    assert (message.channel, message.recipient) == ("sms", "+46701234567")
    assert invoice.number in message.body
    assert "50.00 EUR" in message.body


def test_no_sms_is_queued_where_texts_are_not_set_up(store, profile, caplog):
    customer = CustomerFactory(merchant=store.merchant, email="", phone="+46701234567")
    invoice_issue_for_order(
        order=make_order(store, customer), issue_date=date(2026, 3, 2)
    )

    with caplog.at_level("INFO", logger="invoices.reminders"):
        assert send_overdue_reminders(at=datetime(2026, 4, 2, 8, tzinfo=UTC)) == 0

    assert not OutboxMessage.objects.exists()
    assert not InvoiceReminder.objects.exists()  # tried again once texts work
    assert "Text messages are not set up" in caplog.text


def test_a_customer_who_cannot_be_reached_is_skipped(store, profile, caplog):
    customer = CustomerFactory(merchant=store.merchant, email="", phone="")
    invoice_issue_for_order(
        order=make_order(store, customer), issue_date=date(2026, 3, 2)
    )

    with caplog.at_level("INFO", logger="invoices.reminders"):
        assert send_overdue_reminders(at=datetime(2026, 4, 2, 8, tzinfo=UTC)) == 0

    assert not OutboxMessage.objects.exists()
    assert not InvoiceReminder.objects.exists()
    assert "no email or phone" in caplog.text
