"""The portal speaks the customer's language: their own choice (saved on the
profile page), else their store's; before sign-in the browser's. The team's
pages stay English."""

import pytest
from django.urls import reverse

from performile.models import AuditEvent, OutboxMessage
from portal.invitations import invitation_send
from tests.factories import CustomerFactory, OrderFactory

pytestmark = pytest.mark.django_db

LANGUAGE = reverse("portal:profile_language")
PROFILE = reverse("portal:profile")
ORDERS = reverse("portal:orders")


def choose(customer, language):
    customer.language = language
    customer.save(update_fields=["language"])


def test_the_portal_renders_in_the_customers_chosen_language(portal, portal_user):
    choose(portal_user.customer, "sv")

    page = portal.get(ORDERS)

    html = page.content.decode()
    assert '<html lang="sv">' in html
    assert "<h1>Ordrar" in html
    assert "Logga ut" in html
    assert page.headers["Content-Language"] == "sv"


def test_without_a_choice_the_portal_follows_the_store(portal, portal_user, store):
    store.language = "nb"
    store.save(update_fields=["language"])
    OrderFactory(store=store, customer=portal_user.customer)

    html = portal.get(reverse("portal:dashboard")).content.decode()

    assert "<h1>Oversikt" in html
    assert "Aktive ordrer" in html


def test_an_english_customer_of_an_english_store_reads_english(portal):
    html = portal.get(ORDERS, HTTP_ACCEPT_LANGUAGE="sv").content.decode()
    assert "<h1>Orders" in html  # their store's language wins over the browser's


def test_before_sign_in_the_browsers_language_is_used(client):
    html = client.get(reverse("portal:login"), HTTP_ACCEPT_LANGUAGE="da").content
    assert "Log ind med din e-mail eller dit kundenummer." in html.decode()


def test_the_teams_pages_stay_english_whatever_the_browser(client, staff_user):
    client.force_login(staff_user)
    html = client.get("/orders/", HTTP_ACCEPT_LANGUAGE="sv").content.decode()
    assert '<html lang="en">' in html
    assert "Ordrar" not in html


def test_the_profile_saves_the_language_and_says_so_in_it(portal, portal_user):
    response = portal.post(LANGUAGE, {"language": "da"})

    assert response.status_code == 302
    portal_user.customer.refresh_from_db()
    assert portal_user.customer.language == "da"
    page = portal.get(PROFILE).content.decode()
    assert "Dit sprogvalg er gemt." in page
    assert '<option value="da" selected>Dansk</option>' in page
    event = AuditEvent.objects.get(action="customer.language_changed")
    assert event.data["language"] == "da"


def test_the_stores_default_can_be_chosen_again(portal, portal_user):
    choose(portal_user.customer, "sv")

    portal.post(LANGUAGE, {"language": ""})

    portal_user.customer.refresh_from_db()
    assert portal_user.customer.language == ""


def test_an_unknown_language_is_refused_and_nothing_changes(portal, portal_user):
    choose(portal_user.customer, "sv")

    response = portal.post(LANGUAGE, {"language": "xx"})

    assert response.status_code == 400
    assert "Välj" in response.content.decode()  # the error, in their language
    portal_user.customer.refresh_from_db()
    assert portal_user.customer.language == "sv"
    assert not AuditEvent.objects.filter(action="customer.language_changed").exists()


def test_the_language_form_is_post_only(portal):
    assert portal.get(LANGUAGE).status_code == 405


def test_the_invitation_is_written_in_the_customers_language(store, staff_user):
    customer = CustomerFactory(
        merchant=store.merchant, name="Ole Hansen", email="ole@example.com"
    )
    customer.language = "nb"
    customer.save(update_fields=["language"])

    invitation_send(customer=customer, actor=staff_user)

    email = OutboxMessage.objects.get(recipient="ole@example.com")
    assert email.subject == f"{store.merchant.name} inviterer deg til kundeportalen din"
    assert email.body.startswith("Hei Ole Hansen,\n\n")
    assert "Velg passordet ditt her for å komme i gang:" in email.body
    assert "kundenummeret ditt, " + customer.customer_number in email.body
