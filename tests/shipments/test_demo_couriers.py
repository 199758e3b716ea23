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
