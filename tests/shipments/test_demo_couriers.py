import pytest
from django.core.management import call_command

from shipments.models import CourierAccount
from tests.factories import MerchantFactory


@pytest.mark.django_db
def test_each_merchant_gets_one_sandbox_account_once():
    merchants = MerchantFactory.create_batch(2)
    call_command("demo_couriers", base_url="http://127.0.0.1:8095")
    call_command("demo_couriers")
    accounts = CourierAccount.objects.order_by("merchant_id")
    assert [a.merchant_id for a in accounts] == [m.pk for m in merchants]
    assert {a.base_url for a in accounts} == {"http://127.0.0.1:8095"}
    assert {a.courier for a in accounts} == {"sandbox"}
    assert all(a.extra["track_any"] is True for a in accounts)


@pytest.mark.django_db
def test_delivered_demo_orders_get_a_history_for_the_couriers_page(store, staff_user):
    from datetime import date

    from orders.state_machine import OrderStatus
    from shipments.performance import courier_performance
    from tests.factories import OrderFactory

    for number in range(5):
        OrderFactory(
            store=store, status=OrderStatus.DELIVERED, tracking_number=f"370{number}"
        )
    OrderFactory(store=store, status=OrderStatus.SHIPPED, tracking_number="370999")
    call_command("demo_couriers")
    rows = courier_performance(
        staff_user, since=date(2000, 1, 1), until=date(2100, 1, 1)
    )
    assert sum(row["delivered"] for row in rows) == 5
    assert all(row["on_time_rate"] is not None for row in rows)
    from shipments.models import Shipment

    assert Shipment.objects.filter(status="delivered").count() == 5
