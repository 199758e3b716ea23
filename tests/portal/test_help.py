import pytest
from django.urls import reverse

from invoices.models import BillingProfile
from orders.state_machine import OrderStatus

pytestmark = pytest.mark.django_db

HELP = reverse("portal:help")


def test_faq_is_public(client):
    response = client.get(HELP)

    assert response.status_code == 200
    page = response.content.decode()
    for status in OrderStatus:
        assert f"<dt>{status.label}</dt>" in page
    assert "Out for delivery" in page  # tracking statuses
    assert "Overdue" in page  # payment statuses
    assert "How do I change my delivery address?" in page
    assert f"{reverse('portal:login')}?next={reverse('portal:messages_new')}" in page
    assert 'href="mailto:' not in page  # reaching support needs a sign-in


def test_signed_in_customer_sees_how_to_reach_support(portal, store, merchant):
    store.support_email = "help@nordic.example"
    store.save()
    BillingProfile.objects.create(merchant=merchant, email="billing@nordic.example")

    page = portal.get(HELP).content.decode()

    assert "mailto:help@nordic.example" in page
    assert "mailto:billing@nordic.example" in page
    assert reverse("portal:messages_new") in page
    assert "Sign out" in page  # the portal's layout


def test_help_without_support_addresses(portal):
    page = portal.get(HELP).content.decode()
    assert "Contact support" in page
    assert "mailto:" not in page
