from datetime import timedelta

import pytest
import time_machine
from django.http import Http404
from django.utils import timezone

from orders.state_machine import OrderStatus
from portal.selectors import portal_order_get, portal_orders
from tests.factories import OrderFactory

pytestmark = pytest.mark.django_db

NOW = "2026-06-01 12:00:00Z"


@pytest.fixture
def at():
    with time_machine.travel(NOW, tick=False):
        yield timezone.now()


def order(store, customer, **kwargs):
    return OrderFactory(store=store, customer=customer, **kwargs)


def test_history_reaches_back_24_months(at, store, portal_customer, portal_user):
    recent = order(store, portal_customer, placed_at=at - timedelta(days=729))
    old = order(store, portal_customer, placed_at=at - timedelta(days=731))
    assert set(portal_orders(portal_user)) == {recent}
    with pytest.raises(Http404):
        portal_order_get(portal_user, old.pk)


def test_cancelled_orders_show_for_90_days(at, store, portal_customer, portal_user):
    kept = order(
        store,
        portal_customer,
        status=OrderStatus.CANCELLED,
        updated_at=at - timedelta(days=89),
    )
    order(
        store,
        portal_customer,
        status=OrderStatus.CANCELLED,
        updated_at=at - timedelta(days=91),
    )
    assert set(portal_orders(portal_user)) == {kept}


def test_drafts_show_for_7_days(at, store, portal_customer, portal_user):
    kept = order(
        store,
        portal_customer,
        status=OrderStatus.DRAFT,
        created_at=at - timedelta(days=6),
    )
    order(
        store,
        portal_customer,
        status=OrderStatus.DRAFT,
        created_at=at - timedelta(days=8),
    )
    assert set(portal_orders(portal_user)) == {kept}


def test_a_customer_sees_only_their_own_orders(
    at, store, portal_customer, portal_user, other_portal_user
):
    mine = order(store, portal_customer)
    theirs = order(store, other_portal_user.customer)
    assert set(portal_orders(portal_user)) == {mine}
    with pytest.raises(Http404):
        portal_order_get(portal_user, theirs.pk)


def test_the_window_moves_with_the_clock(store, portal_customer, portal_user):
    with time_machine.travel(NOW, tick=False):
        cancelled = order(store, portal_customer, status=OrderStatus.CANCELLED)
        assert cancelled in portal_orders(portal_user)
    with time_machine.travel("2026-09-01 12:00:00Z", tick=False):
        assert cancelled not in portal_orders(portal_user)


def test_an_order_outside_the_windows_has_no_confirmation_pdf_either(
    at, client, store, portal_customer, portal_user
):
    from django.urls import reverse

    recent = order(store, portal_customer)
    old = order(store, portal_customer, placed_at=at - timedelta(days=731))
    client.force_login(portal_user)
    with time_machine.travel(NOW, tick=False):
        ok = client.get(reverse("portal:orders_confirmation", args=[recent.pk]))
        gone = client.get(reverse("portal:orders_confirmation", args=[old.pk]))
    assert ok.status_code == 200
    assert ok["Content-Type"] == "application/pdf"
    assert gone.status_code == 404
