"""Orders edited in the Django admin go through orders.services: each change is an
event on the timeline, in the change feed and on open pages; what no service
changes (status, lines, the courier's news) is shown only."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from rest_framework.test import APIClient

from orders.models import OrderEvent
from orders.services import EDITABLE_FIELDS
from tests.factories import OrderFactory, OrderLineFactory, UserFactory
from tests.orders.admin_forms import change_form

pytestmark = pytest.mark.django_db


@pytest.fixture
def order(store):
    order = OrderFactory(store=store, notes="Fragile", tracking_status="in_transit")
    OrderLineFactory(order=order, title="Lamp")
    return order


def test_only_fields_with_a_service_are_editable(admin_client, order):
    _, data = change_form(admin_client, order)
    fields = {key for key in data if "-" not in key}  # not the inlines' forms
    assert fields == {*EDITABLE_FIELDS, "assigned_staff", "supplier"}
    page = admin_client.get(reverse("admin:orders_order_change", args=[order.pk]))
    assert b'name="status"' not in page.content
    assert b'name="lines-0-title"' not in page.content
    assert b"Lamp" in page.content  # the lines are shown


def test_an_admin_edit_writes_events_through_the_services(
    admin_client, order, staff_user
):
    url, data = change_form(admin_client, order)
    line = order.lines.get()

    response = admin_client.post(
        url,
        {
            **data,
            "notes": "Fragile, two boxes",
            "amount": "160.00",
            "assigned_staff": staff_user.pk,
            # The lines are shown only: a forged value is not saved.
            "lines-0-id": line.pk,
            "lines-0-order": order.pk,
            "lines-0-title": "Changed",
        },
    )

    assert response.status_code == 302, response.content[:2000]
    order.refresh_from_db()
    assert (order.notes, order.amount) == ("Fragile, two boxes", Decimal("160.00"))
    assert order.assigned_staff == staff_user
    updated, assigned = order.events.order_by("id")
    assert (updated.kind, updated.actor.username) == (OrderEvent.Kind.UPDATED, "admin")
    assert updated.data == {"changed": {"notes": "Fragile", "amount": "150.00"}}
    assert (assigned.kind, assigned.actor.username) == (
        OrderEvent.Kind.ASSIGNED,
        "admin",
    )
    assert staff_user.username in assigned.note
    line.refresh_from_db()
    assert line.title == "Lamp"


def test_saving_without_changes_writes_nothing(admin_client, order):
    url, data = change_form(admin_client, order)
    assert admin_client.post(url, data).status_code == 302
    assert not order.events.exists()


def test_a_change_the_service_refuses_is_said_and_rolled_back(
    admin_client, order, other_merchant_staff
):
    url, data = change_form(admin_client, order)

    response = admin_client.post(
        url,
        {**data, "notes": "Changed", "assigned_staff": other_merchant_staff.pk},
        follow=True,
    )

    assert response.status_code == 200
    assert "No staff or admin of this merchant has that id." in (
        response.content.decode()
    )
    order.refresh_from_db()
    assert (order.notes, order.assigned_staff) == ("Fragile", None)
    assert not order.events.exists()


def test_admin_staff_who_may_not_work_on_the_order_change_nothing(client, order):
    """The admin's permission opens the page; the services still decide."""
    clerk = UserFactory(username="clerk", is_staff=True)
    clerk.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_order", "change_order"])
    )
    client.force_login(clerk)
    url, data = change_form(client, order)

    response = client.post(url, {**data, "notes": "Changed"}, follow=True)

    assert "You cannot change this order." in response.content.decode()
    order.refresh_from_db()
    assert order.notes == "Fragile"
    assert not order.events.exists()


def test_orders_are_deleted_softly_with_an_event(admin_client, order):
    changelist = reverse("admin:orders_order_changelist")
    assert b"delete_selected" not in admin_client.get(changelist).content
    delete_page = reverse("admin:orders_order_delete", args=[order.pk])
    assert admin_client.post(delete_page, {"post": "yes"}).status_code == 403

    response = admin_client.post(
        changelist,
        {"action": "delete_orders", "_selected_action": [order.pk]},
        follow=True,
    )

    assert "Deleted 1 order(s)." in response.content.decode()
    order.refresh_from_db()
    assert order.deleted_at is not None
    assert order.events.get().kind == OrderEvent.Kind.DELETED


@pytest.mark.django_db(transaction=True)
def test_an_admin_edit_is_in_the_change_feed(admin_client, order, staff_user):
    feed = APIClient()
    feed.force_authenticate(staff_user)
    start = feed.get("/api/orders/changes").json()["next"]
    url, data = change_form(admin_client, order)

    assert admin_client.post(url, {**data, "notes": "Changed"}).status_code == 302

    page = feed.get("/api/orders/changes", {"since": start}).json()
    assert [(c["order_id"], c["kind"]) for c in page["changes"]] == [
        (order.pk, OrderEvent.Kind.UPDATED)
    ]
    assert [o["id"] for o in page["orders"]] == [order.pk]
