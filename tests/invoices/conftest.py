from decimal import Decimal

import pytest

from invoices.services import billing_profile, invoice_issue_for_order
from orders.state_machine import OrderStatus
from tests.factories import CustomerFactory, OrderFactory, OrderLineFactory


@pytest.fixture
def profile(merchant):
    profile = billing_profile(merchant)
    profile.legal_name = "Nordic Goods AB"
    profile.address = "Storgatan 1\n111 22 Stockholm"
    profile.vat_number = "SE556677889901"
    profile.payment_terms_days = 30
    profile.default_tax_rate = Decimal("25.00")
    profile.prices_include_tax = True
    profile.save()
    return profile


@pytest.fixture
def buyer(merchant):
    return CustomerFactory(
        merchant=merchant, name="Café Lyktan", email="cafe@example.com"
    )


def make_order(
    store,
    customer=None,
    *,
    lines=((2, "10.00"), (1, "30.00")),
    amount=None,
    status=OrderStatus.PENDING,
    **kwargs,
):
    """An order with `lines` ((quantity, gross unit price), ...); its amount is
    their sum unless given."""
    total = sum(Decimal(price) * quantity for quantity, price in lines)
    order = OrderFactory(
        store=store,
        customer=customer,
        status=status,
        amount=amount if amount is not None else total,
        delivery_address={
            "name": "Anna Berg",
            "line1": "Sveavägen 5",
            "postal_code": "113 50",
            "city": "Stockholm",
            "country": "SE",
        },
        **kwargs,
    )
    for quantity, price in lines:
        OrderLineFactory(
            order=order,
            title=f"Item at {price}",
            quantity=quantity,
            unit_price=Decimal(price),
        )
    return order


@pytest.fixture
def order(store, buyer, profile):
    return make_order(store, buyer)


STRIPE_SECRET = "whsec_test_5f1d0c2b9a"


@pytest.fixture
def stripe_profile(profile):
    profile.stripe_webhook_secret = STRIPE_SECRET
    profile.save()
    return profile


@pytest.fixture
def invoice(order):
    return invoice_issue_for_order(order=order)  # 50.00 EUR
