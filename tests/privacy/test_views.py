"""The staff's privacy pages and API: for the merchant's staff and admins of the
customer's merchant; anyone else's customer, and everyone else, gets 404."""

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from orders.models import Customer
from performile.models import AuditEvent
from privacy.models import PrivacyRequest
from privacy.services import privacy_request_erasure
from tests.factories import OrderFactory
from tests.privacy.conftest import read_zip, response_bytes
from tests.urls_sweep import app_routes, assert_not_found, assert_swept

pytestmark = pytest.mark.django_db

# Every privacy URL with an id in its path (pages and API), and what the id names.
BY_ID = {
    "privacy:customer": "customer",
    "privacy:customer-export": "customer",
    "privacy:customer-erase": "customer",
    "privacy:request-decline": "request",
    "api-customer-export": "customer",
    "api-customer-erase": "customer",
}
# Without one: the open requests, which list only the merchant's own.
OTHER = {"privacy:requests"}


def test_the_sweep_covers_every_privacy_url():
    assert_swept(
        app_routes("privacy.urls", "privacy.api_urls"), by_id=BY_ID, other=OTHER
    )


@pytest.fixture
def asked(anna):
    return privacy_request_erasure(customer=anna, actor=anna.user)


def url(name, asked):
    pk = asked.customer_id if BY_ID[name] == "customer" else asked.pk
    return reverse(name, args=[pk])


@pytest.mark.parametrize("who", ["other_merchant_staff", "supplier", "reseller"])
def test_others_get_404_on_every_privacy_url(client, request, who, anna, asked):
    client.force_login(request.getfixturevalue(who))
    data = {"confirmation": anna.customer_number, "reason": "x"}
    for name in BY_ID:
        assert_not_found(client, url(name, asked), data)
    listed = client.get(reverse("privacy:requests")).content.decode()
    assert anna.customer_number not in listed
    anna.refresh_from_db()
    assert not anna.is_erased
    assert PrivacyRequest.objects.get(pk=asked.pk).is_open
    assert not AuditEvent.objects.filter(action__startswith="customer.").exists()


def test_a_customer_has_no_staff_privacy_pages(client, anna, asked):
    client.force_login(anna.user)
    assert client.get(url("privacy:customer", asked)).status_code == 403
    assert client.get(url("privacy:customer-export", asked)).status_code == 403


def test_the_customer_page_and_its_export(client, staff_user, anna, annas):
    client.force_login(staff_user)
    page = client.get(reverse("privacy:customer", args=[anna.pk]))
    assert page.status_code == 200
    assert "C10000001" in page.content.decode()
    response = client.get(reverse("privacy:customer-export", args=[anna.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert "personal-data-C10000001-" in response["Content-Disposition"]
    data, _ = read_zip(response_bytes(response))
    assert data["customer"]["customer_number"] == "C10000001"
    assert AuditEvent.objects.filter(action="customer.exported").count() == 1


def test_the_erase_form_wants_the_customer_number(client, staff_user, anna):
    client.force_login(staff_user)
    erase = reverse("privacy:customer-erase", args=[anna.pk])
    response = client.post(erase, {"confirmation": "C1"})
    assert response.status_code == 400
    assert "Type the customer number, C10000001, to confirm." in (
        response.content.decode()
    )
    response = client.post(erase, {"confirmation": "c10000001 ", "reason": "Email"})
    assert response.status_code == 302
    assert Customer.objects.get(pk=anna.pk).is_erased
    page = client.get(response["Location"]).content.decode()
    assert "personal data erased" in page
    assert "data-erased" in page


def test_open_requests_are_listed_and_closed_by_the_erasure(
    client, staff_user, anna, asked, other_store
):
    theirs = Customer.objects.create(
        merchant=other_store.merchant, customer_number="C99999999", name="Elsewhere"
    )
    PrivacyRequest.objects.create(
        merchant=other_store.merchant, customer=theirs, kind="erasure"
    )
    client.force_login(staff_user)
    listing = client.get(reverse("privacy:requests")).content.decode()
    assert "C10000001" in listing
    assert "C99999999" not in listing
    orders = client.get(reverse("orders:list")).content.decode()
    assert 'href="/privacy/requests/"' in orders  # the nav's link, while open
    client.post(
        reverse("privacy:customer-erase", args=[anna.pk]),
        {"confirmation": "C10000001"},
    )
    done = PrivacyRequest.objects.get(pk=asked.pk)
    assert (done.status, done.closed_by) == ("done", staff_user)
    listing = client.get(reverse("privacy:requests")).content.decode()
    assert f'data-request="{asked.pk}"' not in listing


def test_the_nav_link_counts_for_whoever_sees_the_requests(
    client, reseller, anna, asked
):
    """A superuser sees the link as the merchant's staff do; a reseller's page
    asks nothing about privacy requests."""
    root = get_user_model().objects.create_superuser("root", "root@example.com")
    client.force_login(root)
    assert (
        'href="/privacy/requests/"'
        in client.get(reverse("orders:list")).content.decode()
    )
    client.force_login(reseller)
    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("orders:list")).content.decode()
    assert 'href="/privacy/requests/"' not in page
    assert not [q for q in queries.captured_queries if "privacy" in q["sql"]]


def test_a_request_is_declined_with_a_reason(client, staff_user, anna, asked):
    client.force_login(staff_user)
    decline = reverse("privacy:request-decline", args=[asked.pk])
    client.post(decline, {"reason": ""})
    assert PrivacyRequest.objects.get(pk=asked.pk).is_open
    client.post(decline, {"reason": "An invoice is in dispute"})
    declined = PrivacyRequest.objects.get(pk=asked.pk)
    assert (declined.status, declined.outcome) == (
        "declined",
        "An invoice is in dispute",
    )
    assert AuditEvent.objects.filter(action="privacy.request_declined").exists()


def test_the_orders_customer_panel_links_to_the_page(
    client, staff_user, supplier, store, anna
):
    order = OrderFactory(store=store, customer=anna, supplier=supplier)
    link = reverse("privacy:customer", args=[anna.pk])
    client.force_login(staff_user)
    assert link in client.get(order.get_absolute_url()).content.decode()
    client.force_login(supplier)
    assert link not in client.get(order.get_absolute_url()).content.decode()


# --- The API -------------------------------------------------------------------------


def test_the_api_exports_and_erases(staff_api, anna, annas):
    response = staff_api.get(reverse("api-customer-export", args=[anna.pk]))
    assert response.status_code == 200
    data, _ = read_zip(response_bytes(response))
    assert data["orders"][0]["order_number"] == "ORD-10042"
    erase = reverse("api-customer-erase", args=[anna.pk])
    refused = staff_api.post(erase, {"confirmation": "no"}, format="json")
    assert refused.status_code == 400
    assert refused.json()["error"]["fields"]["confirmation"]
    done = staff_api.post(erase, {"confirmation": "C10000001"}, format="json")
    assert done.status_code == 200
    assert done.json()["counts"]["orders"] == 1


def test_the_api_is_404_for_another_merchants_staff(
    api_client, other_merchant_staff, anna
):
    api_client.force_authenticate(other_merchant_staff)
    assert (
        api_client.get(reverse("api-customer-export", args=[anna.pk])).status_code
        == 404
    )
    erase = reverse("api-customer-erase", args=[anna.pk])
    response = api_client.post(erase, {"confirmation": "C10000001"}, format="json")
    assert response.status_code == 404
    anna.refresh_from_db()
    assert not anna.is_erased
