from io import StringIO

import pytest
from allauth.account.models import EmailAddress
from django.core.management import call_command

from demo.portal import portal_customers
from invoices.models import Invoice
from invoices.selectors import PaymentStatus, with_balance
from messaging.models import NotificationPreference
from orders.state_machine import OPEN
from performile.models import OutboxMessage
from portal.models import DeliveryAddress
from shipments.models import Shipment, TrackingEvent

IN_TRANSIT = ("info_received", "in_transit", "out_for_delivery")


@pytest.fixture
def demo(db):
    for command, options in (
        ("demo_data", {"orders": 60}),
        ("demo_invoices", {}),
        ("demo_couriers", {}),
    ):
        call_command(command, stdout=StringIO(), **options)


def _snapshot():
    return [
        model.objects.count()
        for model in (
            DeliveryAddress,
            NotificationPreference,
            EmailAddress,
            Shipment,
            TrackingEvent,
            Invoice,
        )
    ]


def test_demo_portal_gives_each_portal_customer_what_the_portal_shows(demo):
    out = StringIO()
    call_command("demo_portal", stdout=out)
    assert "Demo portal:" in out.getvalue()

    customers = portal_customers()
    assert len(customers) == 4
    for customer, country in customers:
        addresses = list(customer.delivery_addresses.all())
        assert len(addresses) == 2
        assert [a.is_default for a in addresses].count(True) == 1
        assert len({(a.line1, a.city) for a in addresses}) == 2

        preference = NotificationPreference.objects.get(customer=customer)
        assert preference.sms == (country == "NO")
        assert EmailAddress.objects.filter(
            user=customer.user, email__iexact=customer.email, verified=True
        ).exists()

        owed = with_balance(Invoice.objects.filter(customer=customer)).filter(
            payment_status__in=[PaymentStatus.PENDING, PaymentStatus.OVERDUE]
        )
        assert owed.exists()

        if country:  # Nordic Goods ships parcels; Pixel Forge sells services
            shipment = Shipment.objects.get(
                order__customer=customer,
                order__status__in=OPEN,
                status__in=IN_TRANSIT,
            )
            assert shipment.events.count() >= 3
            assert shipment.estimated_delivery is not None
            order = shipment.order
            order.refresh_from_db()
            assert order.status == "shipped"
            assert order.tracking_status == shipment.status
            assert order.tracking_number == shipment.tracking_number

    # The demo's notifications are history, not sent today.
    assert not OutboxMessage.objects.exclude(status=OutboxMessage.Status.SENT).exists()

    counts = _snapshot()
    out = StringIO()
    call_command("demo_portal", stdout=out)
    assert _snapshot() == counts
    assert "0 addresses" in out.getvalue()

    out = StringIO()
    call_command("demo_portal", if_empty=True, stdout=out)
    assert "left as is" in out.getvalue()


def test_demo_sign_ins_list_the_portal_with_customer_numbers(demo):
    out = StringIO()
    call_command("demo_data", sign_ins=True, stdout=out)
    listing = out.getvalue()
    assert "/portal/" in listing
    for customer, _country in portal_customers():
        assert customer.email in listing
        assert customer.customer_number in listing
