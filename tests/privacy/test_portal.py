"""The customer's own data in the portal: download it (audited, theirs only),
and ask for its erasure, which the merchant's staff carry out."""

import pytest
from django.urls import reverse

from performile.models import AuditEvent
from privacy.models import PrivacyRequest
from tests.privacy.conftest import read_zip, response_bytes

pytestmark = pytest.mark.django_db

EXPORT = reverse("portal:profile_export")
ERASURE = reverse("portal:profile_erasure")
PROFILE = reverse("portal:profile")


def test_the_profile_offers_both(client, anna):
    client.force_login(anna.user)
    page = client.get(PROFILE).content.decode()
    assert EXPORT in page
    assert ERASURE in page


def test_a_customer_downloads_their_own_data_only(client, anna, annas, olle, olles):
    client.force_login(anna.user)
    response = client.get(EXPORT)
    assert response.status_code == 200
    data, files = read_zip(response_bytes(response))
    assert data["customer"]["customer_number"] == "C10000001"
    assert data["invoices"][0]["number"] == annas["invoice"].number
    everything = repr(data) + repr(sorted(files))
    assert "olle@example.com" not in everything
    assert olles["invoice"].number not in everything
    event = AuditEvent.objects.get(action="customer.exported")
    assert (event.actor, event.data["by"]) == (anna.user, "customer")
    done = PrivacyRequest.objects.get(customer=anna)
    assert (done.kind, done.status) == ("export", "done")


def test_asking_for_erasure_makes_one_request_for_the_staff(client, anna, staff_user):
    client.force_login(anna.user)
    assert client.post(ERASURE).status_code == 302
    client.post(ERASURE)  # asked twice: still one request
    request = PrivacyRequest.objects.get(customer=anna)
    assert (request.kind, request.status, request.requested_by) == (
        "erasure",
        "open",
        anna.user,
    )
    assert "data-erasure-requested" in client.get(PROFILE).content.decode()
    assert AuditEvent.objects.filter(action="privacy.erasure_requested").count() == 1
    client.force_login(staff_user)
    listing = client.get(reverse("privacy:requests")).content.decode()
    assert "C10000001" in listing


def test_a_declined_request_tells_the_customer_why_and_they_may_ask_again(
    client, anna, staff_user
):
    client.force_login(anna.user)
    client.post(ERASURE)
    asked = PrivacyRequest.objects.get(customer=anna)
    client.force_login(staff_user)
    client.post(
        reverse("privacy:request-decline", args=[asked.pk]),
        {"reason": "An invoice is in dispute"},
    )
    client.force_login(anna.user)
    page = client.get(PROFILE).content.decode()
    assert "data-erasure-declined" in page
    assert "An invoice is in dispute" in page
    assert f'action="{ERASURE}"' in page
    client.post(ERASURE)
    assert PrivacyRequest.objects.filter(customer=anna, status="open").count() == 1
    page = client.get(PROFILE).content.decode()
    assert "data-erasure-requested" in page
    assert "data-erasure-declined" not in page


def test_after_the_staff_erase_the_customer_is_signed_out(
    client, anna, annas, staff_user
):
    from privacy.services import customer_erase, privacy_request_erasure

    privacy_request_erasure(customer=anna, actor=anna.user)
    client.force_login(anna.user)
    customer_erase(customer=anna, actor=staff_user, confirmation="C10000001")
    response = client.get(PROFILE)
    assert response.status_code == 302
    assert reverse("portal:login") in response["Location"]
    assert client.get(EXPORT).status_code == 302


def test_exporting_and_asking_want_the_right_method(client, anna):
    client.force_login(anna.user)
    assert client.post(EXPORT).status_code == 405
    assert client.get(ERASURE).status_code == 405
