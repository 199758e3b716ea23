"""The money agrees with the shop: Shopify's and WooCommerce's payments, refunds
and cancellations become payments, credit notes and voids, once each."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from invoices.models import CreditNote, Invoice, Payment
from invoices.reminders import overdue_without_reminder
from invoices.selectors import PaymentStatus, with_balance
from orders.models import Order
from orders.services import order_change_status
from orders.state_machine import OrderStatus
from performile.models import InboundDelivery
from shipments.services import shipment_defaults
from tests.inbound import apply_due, delivery_of
from tests.orders.payloads import post_shopify, post_woo
from tests.orders.samples import (
    shopify_sample_order,
    shopify_sample_refund,
    woo_sample_order,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _profile(profile):
    """Prices include 25 % VAT unless the shop says otherwise."""


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run a call and, as after a real commit, the receivers it set off."""

    def run(call, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return call(*args, **kwargs)

    return run


def balance(order: Order):
    invoice = with_balance(Invoice.objects.filter(order=order)).get()
    return invoice.payment_status, invoice.outstanding


def the_order() -> Order:
    return Order.objects.get()


def test_a_paid_shopify_order_has_a_paid_invoice_that_adds_up(client, store, committed):
    response = committed(post_shopify, client, store, shopify_sample_order())
    assert response.status_code == 200, response.content

    order = the_order()
    assert order.status == OrderStatus.PAYMENT_VERIFIED
    assert [(line.kind, line.title, line.unit_price) for line in order.lines.all()] == [
        ("item", "IPod Nano - 8gb", Decimal("699.00")),
        ("item", "IPod Nano - 8gb", Decimal("399.00")),
        ("shipping", "PostNord MyPack Home", Decimal("49.00")),
    ]
    assert sum(line.total for line in order.lines.all()) == order.amount
    assert (order.tax_amount, order.taxes_included, order.shipping_method) == (
        Decimal("229.40"),
        True,
        "PostNord MyPack Home",
    )
    invoice = order.invoices.get()
    assert (invoice.total, invoice.tax_total) == (Decimal("1147.00"), Decimal("229.40"))
    assert invoice.lines.count() == 3
    payment = Payment.objects.get()
    assert (payment.amount, payment.method, payment.invoice) == (
        Decimal("1147.00"),
        "webshop",
        invoice,
    )
    assert balance(order) == (PaymentStatus.PAID, Decimal("0.00"))


def test_a_paid_order_is_never_reminded(client, store, committed):
    committed(post_shopify, client, store, shopify_sample_order())
    assert Invoice.objects.filter(state=Invoice.State.ISSUED).exists()
    long_after = timezone.now() + timedelta(days=90)
    assert not overdue_without_reminder(long_after).exists()


def test_the_orders_weight_feeds_the_booking(client, store, committed):
    committed(post_shopify, client, store, shopify_sample_order())
    parcels = shipment_defaults(the_order())["parcels"]
    assert parcels[0]["weight_kg"] == Decimal("1.8")


def test_pending_then_paid_records_the_payment_once(client, store, committed):
    committed(
        post_shopify,
        client,
        store,
        shopify_sample_order(financial_status="pending", total_outstanding="1147.00"),
    )
    assert the_order().status == OrderStatus.PENDING
    assert not Invoice.objects.exists()

    paid = shopify_sample_order(updated_at="2026-11-20T10:20:00-05:00")
    for _ in range(2):  # orders/paid and orders/updated say the same thing
        committed(post_shopify, client, store, paid, topic="orders/paid")
    order = the_order()
    assert order.status == OrderStatus.PAYMENT_VERIFIED
    assert Payment.objects.get().amount == Decimal("1147.00")
    assert balance(order) == (PaymentStatus.PAID, Decimal("0.00"))


def test_a_partial_payment_then_the_rest(client, store, committed):
    committed(
        post_shopify,
        client,
        store,
        shopify_sample_order(
            financial_status="partially_paid", total_outstanding="147"
        ),
    )
    assert Payment.objects.get().amount == Decimal("1000.00")
    committed(
        post_shopify,
        client,
        store,
        shopify_sample_order(updated_at="2026-11-21T10:00:00-05:00"),
        topic="orders/updated",
    )
    assert sorted(Payment.objects.values_list("amount", flat=True)) == [
        Decimal("147.00"),
        Decimal("1000.00"),
    ]
    assert balance(the_order()) == (PaymentStatus.PAID, Decimal("0.00"))


def test_a_refund_is_a_negative_payment_and_a_credit_note_once(
    client, store, committed
):
    committed(post_shopify, client, store, shopify_sample_order())
    for _ in range(2):
        response = committed(
            post_shopify, client, store, shopify_sample_refund(), topic="refunds/create"
        )
        assert response.status_code == 200, response.content
    refund = Payment.objects.get(amount__lt=0)
    assert (refund.amount, refund.provider_id) == (
        Decimal("-399.00"),
        f"{store.pk}:shopify:refund:179259969",
    )
    note = CreditNote.objects.get()
    assert note.total == Decimal("399.00")
    # Paid 1147, refunded 399, credited 399: nothing owed, nothing to repay.
    assert balance(the_order()) == (PaymentStatus.PAID, Decimal("0.00"))


def test_the_refunds_in_an_updated_order_are_the_same_refunds(client, store, committed):
    committed(post_shopify, client, store, shopify_sample_order())
    committed(
        post_shopify, client, store, shopify_sample_refund(), topic="refunds/create"
    )
    updated = shopify_sample_order(
        financial_status="partially_refunded",
        updated_at="2026-11-25T09:01:00-05:00",
        refunds=[shopify_sample_refund()],
    )
    committed(post_shopify, client, store, updated, topic="orders/updated")
    assert Payment.objects.filter(amount__lt=0).count() == 1
    assert CreditNote.objects.count() == 1


def test_a_refund_before_its_order_is_retried_later(client, store, committed):
    response = committed(
        post_shopify,
        client,
        store,
        shopify_sample_refund(),
        topic="refunds/create",
        webhook_id="r1",
    )
    assert response.status_code == 200, response.content
    refund = delivery_of(response)
    assert refund.status == InboundDelivery.Status.PENDING
    assert refund.attempts == 1
    assert "has not arrived yet" in refund.error
    assert refund.available_at > timezone.now()
    assert not Payment.objects.exists()
    committed(post_shopify, client, store, shopify_sample_order())
    assert not Payment.objects.filter(amount__lt=0).exists()
    # Later, the kept delivery is applied again: now its order is there.
    committed(apply_due)
    refund.refresh_from_db()
    assert refund.status == InboundDelivery.Status.APPLIED
    assert refund.result["order_id"] == the_order().pk
    assert Payment.objects.filter(amount=Decimal("-399.00")).exists()
    # Shopify's own retry of the same delivery (same webhook id) changes nothing.
    response = committed(
        post_shopify,
        client,
        store,
        shopify_sample_refund(),
        topic="refunds/create",
        webhook_id="r1",
    )
    assert response.status_code == 200
    assert response.json() == {"status": "duplicate"}
    assert Payment.objects.filter(amount=Decimal("-399.00")).count() == 1


def test_an_unpaid_invoiced_order_cancelled_in_shopify_is_voided(
    client, store, committed
):
    unpaid = shopify_sample_order(
        financial_status="pending", total_outstanding="1147.00"
    )
    committed(post_shopify, client, store, unpaid)
    committed(order_change_status, order=the_order(), to=OrderStatus.CONFIRMED)
    assert Invoice.objects.get().state == Invoice.State.ISSUED

    cancelled = {
        **unpaid,
        "cancelled_at": "2026-11-22T10:00:00-05:00",
        "cancel_reason": "customer",
        "updated_at": "2026-11-22T10:00:00-05:00",
    }
    committed(post_shopify, client, store, cancelled, topic="orders/cancelled")
    order = the_order()
    assert order.status == OrderStatus.CANCELLED
    invoice = Invoice.objects.get()
    assert invoice.state == Invoice.State.VOID
    assert "customer" in invoice.void_reason
    assert not overdue_without_reminder(timezone.now() + timedelta(days=90)).exists()


def test_a_paid_order_cancelled_and_refunded_owes_nothing(client, store, committed):
    committed(post_shopify, client, store, shopify_sample_order())
    refund = shopify_sample_refund(
        transactions=[
            {
                "id": 179259970,
                "kind": "refund",
                "status": "success",
                "amount": "1147.00",
                "gateway": "shopify_payments",
            }
        ]
    )
    cancelled = shopify_sample_order(
        financial_status="refunded",
        cancelled_at="2026-11-22T10:00:00-05:00",
        cancel_reason="inventory",
        updated_at="2026-11-22T10:00:00-05:00",
        refunds=[refund],
    )
    committed(post_shopify, client, store, cancelled, topic="orders/cancelled")
    order = the_order()
    assert order.status == OrderStatus.CANCELLED
    invoice = Invoice.objects.get()
    assert invoice.state == Invoice.State.ISSUED  # paid: credited, never voided
    assert CreditNote.objects.get().total == Decimal("1147.00")
    assert balance(order) == (PaymentStatus.PAID, Decimal("0.00"))


def test_a_failed_or_pending_refund_transaction_moves_no_money(
    client, store, committed
):
    committed(post_shopify, client, store, shopify_sample_order())
    pending = shopify_sample_refund(
        transactions=[
            {"id": 1, "kind": "refund", "status": "pending", "amount": "399.00"}
        ]
    )
    committed(post_shopify, client, store, pending, topic="refunds/create")
    assert not Payment.objects.filter(amount__lt=0).exists()
    assert not CreditNote.objects.exists()


# --- WooCommerce -------------------------------------------------------------------


def test_a_paid_woocommerce_order_has_a_paid_invoice_that_adds_up(
    client, store, committed
):
    response = committed(post_woo, client, store, woo_sample_order())
    assert response.status_code == 200, response.content
    order = the_order()
    assert order.status == OrderStatus.PAYMENT_VERIFIED
    kinds = [(line.kind, line.unit_price, line.quantity) for line in order.lines.all()]
    assert kinds == [
        ("item", Decimal("100.00"), 2),
        ("item", Decimal("200.00"), 1),
        ("discount", Decimal("-20.00"), 1),
        ("shipping", Decimal("80.00"), 1),
    ]
    assert order.shipping_method == "Flat Rate"
    invoice = order.invoices.get()
    assert (invoice.subtotal, invoice.tax_total, invoice.total) == (
        Decimal("460.00"),
        Decimal("115.00"),
        Decimal("575.00"),
    )
    assert Payment.objects.get().amount == Decimal("575.00")
    assert balance(order) == (PaymentStatus.PAID, Decimal("0.00"))


def test_a_woocommerce_refund_is_recorded_once(client, store, committed):
    committed(post_woo, client, store, woo_sample_order())
    refunded = woo_sample_order(
        date_modified_gmt="2026-11-23T09:00:00",
        refunds=[{"id": 726, "reason": "Damaged", "total": "-100.00"}],
    )
    committed(post_woo, client, store, refunded, topic="order.updated")
    committed(
        post_woo,
        client,
        store,
        {**refunded, "date_modified_gmt": "2026-11-23T09:05:00"},
        topic="order.updated",
    )
    assert Payment.objects.get(amount__lt=0).amount == Decimal("-100.00")
    assert CreditNote.objects.get().total == Decimal("100.00")
    assert balance(the_order()) == (PaymentStatus.PAID, Decimal("0.00"))


def test_an_unpaid_woocommerce_order_cancelled_is_voided(client, store, committed):
    unpaid = woo_sample_order(status="on-hold", date_paid=None, date_paid_gmt=None)
    committed(post_woo, client, store, unpaid)
    committed(order_change_status, order=the_order(), to=OrderStatus.CONFIRMED)
    cancelled = {
        **unpaid,
        "status": "cancelled",
        "date_modified_gmt": "2026-11-24T09:00:00",
    }
    committed(post_woo, client, store, cancelled, topic="order.updated")
    assert Invoice.objects.get().state == Invoice.State.VOID
    assert the_order().status == OrderStatus.CANCELLED
