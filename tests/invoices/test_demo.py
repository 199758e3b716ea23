from io import StringIO

import pytest
from django.core.management import call_command

from invoices.models import CreditNote, Invoice, Payment, Statement
from invoices.selectors import PaymentStatus, with_balance
from orders.models import Order
from performile.models import OutboxMessage


@pytest.fixture
def demo(db):
    call_command("demo_data", orders=60, stdout=StringIO())


def test_demo_invoices_make_a_lived_in_history_once(demo):
    out = StringIO()
    call_command("demo_invoices", stdout=out)
    assert "Demo invoices:" in out.getvalue()

    invoices = with_balance(Invoice.objects.all())
    statuses = set(invoices.values_list("payment_status", flat=True))
    assert statuses >= {
        PaymentStatus.PAID,
        PaymentStatus.PENDING,
        PaymentStatus.OVERDUE,
        PaymentStatus.VOID,
    }
    # Every confirmed demo order with a customer has its invoice, dated in the past.
    confirmed = Order.objects.filter(
        status__in=["payment_verified", "confirmed", "shipped", "delivered", "complete"]
    ).exclude(customer=None)
    assert not confirmed.filter(invoices=None).exists()
    assert invoices.order_by("issue_date").first().issue_date < (
        invoices.order_by("-issue_date").first().issue_date
    )
    assert invoices.filter(paid__gt=0, outstanding__gt=0).exists()  # in part
    assert invoices.filter(outstanding__lt=0).exists()  # overpaid
    methods = set(Payment.objects.values_list("method", flat=True))
    assert {Payment.Method.BANK_TRANSFER, Payment.Method.STRIPE} <= methods
    assert CreditNote.objects.exists()
    assert Statement.objects.filter(monthly=True).exists()
    assert not Invoice.objects.exclude(pdf="").exists()  # rendered on download
    assert not OutboxMessage.objects.exclude(status=OutboxMessage.Status.SENT).exists()

    counts = [
        model.objects.count() for model in (Invoice, Payment, CreditNote, Statement)
    ]
    call_command("demo_invoices", stdout=StringIO())
    assert [
        model.objects.count() for model in (Invoice, Payment, CreditNote, Statement)
    ] == counts

    out = StringIO()
    call_command("demo_invoices", if_empty=True, stdout=out)
    assert "left as is" in out.getvalue()
