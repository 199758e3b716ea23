"""Notification preferences edited in the admin are saved through their service,
so each change is audited."""

import pytest
from django.urls import reverse

from messaging.models import NotificationPreference
from performile.models import AuditEvent
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

CHOICES = ["email", "sms", "whatsapp", "order_updates", "shipping_updates"]


def test_a_preference_changed_in_the_admin_is_audited(admin_client, merchant):
    customer = CustomerFactory(merchant=merchant)
    preference = NotificationPreference.objects.create(customer=customer)
    url = reverse("admin:messaging_notificationpreference_change", args=[preference.pk])
    page = admin_client.get(url)
    assert b'name="customer"' not in page.content  # whose it is does not change

    response = admin_client.post(
        url,
        {
            "email": "on",
            "sms": "on",
            "order_updates": "on",
            "quiet_hours": "on",
            "quiet_start": "21",
            "quiet_end": "8",
        },
    )

    assert response.status_code == 302, response.content[:2000]
    preference.refresh_from_db()
    assert [getattr(preference, name) for name in CHOICES] == [
        True,
        True,
        False,
        True,
        False,
    ]
    event = AuditEvent.objects.get(action="profile.notifications_updated")
    assert event.actor.username == "admin"
    assert sorted(event.data["fields"]) == ["shipping_updates", "sms"]


def test_a_preference_added_in_the_admin_is_audited(admin_client, merchant):
    customer = CustomerFactory(merchant=merchant)

    response = admin_client.post(
        reverse("admin:messaging_notificationpreference_add"),
        {
            "customer": customer.pk,
            "whatsapp": "on",
            "quiet_hours": "on",
            "quiet_start": "21",
            "quiet_end": "8",
        },
    )

    assert response.status_code == 302, response.content[:2000]
    preference = NotificationPreference.objects.get(customer=customer)
    assert (preference.email, preference.whatsapp) == (False, True)
    assert AuditEvent.objects.filter(
        action="profile.notifications_updated", actor__username="admin"
    ).exists()
