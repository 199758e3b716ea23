"""The Inbox's bulk actions: close the selected conversations, or assign their
orders to one team member; what may not be done is named, never done."""

import pytest
from django.urls import reverse

from messaging import services
from messaging.models import Thread
from tests.factories import OrderFactory

pytestmark = pytest.mark.django_db
BULK = reverse("messaging:bulk")


@pytest.fixture
def asked(store, customer):
    orders = [OrderFactory(store=store, customer=customer) for _ in range(3)]
    for order in orders:
        services.message_send_in_app(order=order, actor=customer.user, body="Hello")
    return orders


def test_the_selected_conversations_are_closed(client, staff_user, asked):
    client.force_login(staff_user)
    first, second, third = asked

    response = client.post(
        BULK,
        {"orders": [first.pk, second.pk], "action": "close", "query": "status=open"},
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("messaging:inbox") + "?status=open"
    closed = set(
        Thread.objects.filter(status="closed").values_list("order_id", flat=True)
    )
    assert closed == {first.pk, second.pk}
    page = client.get(response["Location"]).content.decode()
    assert "2 conversations closed" in page
    assert f'name="orders" value="{third.pk}"' in page


def test_the_selected_orders_are_assigned_and_unassigned(
    client, staff_user, admin_member, asked
):
    client.force_login(staff_user)
    first, second, _ = asked

    client.post(
        BULK,
        {
            "orders": [first.pk, second.pk],
            "action": "assign",
            "assignee": admin_member.pk,
        },
    )
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.assigned_staff, second.assigned_staff) == (admin_member, admin_member)

    client.post(BULK, {"orders": [first.pk], "action": "assign", "assignee": ""})
    first.refresh_from_db()
    assert first.assigned_staff is None


def test_someone_outside_the_team_is_refused_by_name(
    client, staff_user, customer, asked, store
):
    client.force_login(staff_user)
    first = asked[0]

    response = client.post(
        BULK,
        {"orders": [first.pk], "action": "assign", "assignee": customer.user.pk},
        follow=True,
    )

    first.refresh_from_db()
    assert first.assigned_staff is None
    assert f"Order {first.order_number} not assigned" in response.content.decode()


def test_another_merchants_conversations_are_not_found(
    client, other_merchant_staff, asked
):
    client.force_login(other_merchant_staff)

    response = client.post(
        BULK, {"orders": [o.pk for o in asked], "action": "close"}, follow=True
    )

    assert "3 not found." in response.content.decode()
    assert not Thread.objects.filter(status="closed").exists()


def test_nothing_selected_or_no_action_says_so(client, staff_user, asked):
    client.force_login(staff_user)

    page = client.post(BULK, {"action": "close"}, follow=True).content.decode()
    assert "Select the conversations first." in page
    page = client.post(BULK, {"orders": [asked[0].pk]}, follow=True).content.decode()
    assert "Choose Close or Assign." in page
    assert not Thread.objects.filter(status="closed").exists()
