"""One rule for the merchant's time zone (Merchant.zone), used by every page, PDF,
export and job: the zone named, or UTC when the name is not one."""

from zoneinfo import ZoneInfo

import pytest

from orders.models import Merchant

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("name", "zone"),
    [
        ("Europe/Oslo", "Europe/Oslo"),
        ("Europe/Atlantis", "UTC"),
        ("", "UTC"),
        ("../etc/passwd", "UTC"),
    ],
)
def test_the_zone_is_the_one_named_or_utc(name, zone):
    assert Merchant(timezone=name).zone == ZoneInfo(zone)


def test_a_mistyped_zone_does_not_break_the_reconcile_command(store):
    """webshop_reconcile read the zone itself and crashed on a mistyped one."""
    from django.core.management import call_command
    from django.core.management.base import CommandError

    Merchant.objects.filter(pk=store.merchant_id).update(timezone="Europe/Atlantis")
    with pytest.raises(CommandError) as refused:
        call_command(
            "webshop_reconcile", "--store", str(store.pk), "--since", "2999-01-01"
        )
    assert "in the future" in str(refused.value)
