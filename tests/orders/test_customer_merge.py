"""Staff merge two customers of their merchant: everything of the first moves to
the second, which then sees it all in the portal."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from rest_framework.test import APIClient

from invoices.models import Invoice, Payment
from invoices.services import invoice_issue_for_order, payment_record
from messaging.services.replies import message_send_in_app
from orders.models import Customer, OrderEvent
from performile.models import AuditEvent
from portal.models import DeliveryAddress
from tests.factories import CustomerFactory, UserFactory
from tests.invoices.conftest import make_order

pytestmark = pytest.mark.django_db


@pytest.fixture
def pair(store):
    """Anna wrote from two addresses; her portal sign-in is on the first."""
    user = UserFactory(username="anna", email="anna@work.example")
    old = CustomerFactory(
        merchant=store.merchant, user=user, email=user.email, phone="+46705555555"
    )
    new = CustomerFactory(
        merchant=store.merchant,
        email="anna@home.example",
        phone="",
        customer_number="C90000042",
    )
    order = make_order(store, old, status="confirmed")
    invoice = invoice_issue_for_order(order=order, issue_date=date(2026, 11, 1))
    payment_record(
        merchant=store.merchant,
        invoice=invoice,
        amount=Decimal("10.00"),
        currency=invoice.currency,
        method="card",
    )
    message = message_send_in_app(order=order, actor=user, body="Hello")
    DeliveryAddress.objects.create(
        customer=old,
        label="Work",
        name="Anna",
        line1="Gatan 1",
        postal_code="111 22",
        city="Stockholm",
        country="SE",
        is_default=True,
    )
    return {"old": old, "new": new, "user": user, "order": order, "message": message}


def merge(user, customer, into):
    client = APIClient()
    client.force_authenticate(user)
    return client.post(
        reverse("api-customer-merge", args=[customer.pk]),
        {"into": into.pk},
        format="json",
    )


def test_merging_moves_everything_and_records_it(staff_user, pair):
    response = merge(staff_user, pair["old"], pair["new"])
    assert response.status_code == 200, response.content
    assert response.json()["customer_number"] == "C90000042"
    new = pair["new"]
    assert not Customer.objects.filter(pk=pair["old"].pk).exists()
    pair["order"].refresh_from_db()
    assert pair["order"].customer == new
    assert Invoice.objects.get().customer == new
    assert Payment.objects.get().customer == new
    assert DeliveryAddress.objects.get().customer == new
    pair["message"].refresh_from_db()
    assert pair["message"].author_customer == new
    new.refresh_from_db()
    # Learned from the merged record: the phone and the portal sign-in.
    assert (new.phone, new.user) == ("+46705555555", pair["user"])
    assert new.email == "anna@home.example"  # its own email stays
    assert OrderEvent.objects.filter(
        order=pair["order"], kind="note", note__contains="merged into C90000042"
    ).exists()
    assert AuditEvent.objects.filter(action="customer.merged").count() == 1
    client = APIClient()
    client.force_login(pair["user"])
    detail = reverse("portal:orders_detail", args=[pair["order"].pk])
    assert client.get(detail).status_code == 200


def test_messages_stay_immutable_after_a_merge(staff_user, pair):
    merge(staff_user, pair["old"], pair["new"])
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as c:
        c.execute("UPDATE messaging_message SET body = 'changed'")


def test_outside_a_merge_documents_keep_their_customer(pair):
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as c:
        c.execute("UPDATE invoices_invoice SET customer_id = %s", [pair["new"].pk])


def test_another_merchants_staff_get_404(other_merchant_staff, pair):
    assert merge(other_merchant_staff, pair["old"], pair["new"]).status_code == 404
    assert Customer.objects.filter(pk=pair["old"].pk).exists()


def test_customers_of_two_merchants_cannot_be_merged(staff_user, pair, other_store):
    stranger = CustomerFactory(merchant=other_store.merchant)
    assert merge(staff_user, pair["old"], stranger).status_code == 404


def test_suppliers_may_not_merge(supplier, pair):
    response = merge(supplier, pair["old"], pair["new"])
    assert response.status_code in (403, 404)
    assert Customer.objects.filter(pk=pair["old"].pk).exists()


def test_two_portal_sign_ins_are_refused(staff_user, pair):
    Customer.objects.filter(pk=pair["new"].pk).update(
        user=UserFactory(username="second")
    )
    response = merge(staff_user, pair["old"], pair["new"])
    assert response.status_code == 409
    assert "portal sign-in" in response.json()["error"]["message"]


def test_a_customer_is_not_merged_into_itself(staff_user, pair):
    assert merge(staff_user, pair["old"], pair["old"]).status_code == 400


def test_staff_merge_from_the_order_page(client, staff_user, pair):
    client.force_login(staff_user)
    page = client.get(reverse("orders:detail", args=[pair["order"].pk]))
    assert b"Same person as another customer?" in page.content
    response = client.post(
        reverse("orders:customer-merge", args=[pair["order"].pk]),
        {"into": "c90000042"},
    )
    assert response.status_code == 302
    pair["order"].refresh_from_db()
    assert pair["order"].customer == pair["new"]


def test_a_number_of_another_merchant_merges_nothing(
    client, staff_user, pair, other_store
):
    CustomerFactory(merchant=other_store.merchant, customer_number="C99999999")
    client.force_login(staff_user)
    client.post(
        reverse("orders:customer-merge", args=[pair["order"].pk]),
        {"into": "C99999999"},
    )
    pair["order"].refresh_from_db()
    assert pair["order"].customer == pair["old"]
