"""Shipments, claims and bulk bookings are shown in the admin, never written there:
they change only through the shipments services (each with a note or tracking on
the order's timeline)."""

import pytest
from django.urls import reverse

from tests.shipments.records import shipment_records

pytestmark = pytest.mark.django_db


@pytest.fixture
def records(store, staff_user):
    made = shipment_records(store, staff_user)
    return {
        "shipment": made["shipment"],
        "claim": made["claim"],
        "bulkbooking": made["bulk"],
    }


@pytest.mark.parametrize("name", ["shipment", "claim", "bulkbooking"])
def test_shown_never_added_changed_or_deleted(admin_client, records, name):
    record = records[name]
    change = reverse(f"admin:shipments_{name}_change", args=[record.pk])

    page = admin_client.get(change)

    assert page.status_code == 200
    assert b'name="_save"' not in page.content
    assert admin_client.post(change, {"status": "approved"}).status_code == 403
    assert admin_client.get(reverse(f"admin:shipments_{name}_add")).status_code == 403
    delete = reverse(f"admin:shipments_{name}_delete", args=[record.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    assert type(record).objects.filter(pk=record.pk).exists()
    record.refresh_from_db()
    assert getattr(record, "status", None) != "approved"
