import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse

from messaging.models import NotificationPreference
from messaging.notifications import Notice, customer_notify
from performile.errors import ApplicationError
from performile.models import AuditEvent
from portal.models import DeliveryAddress
from tests.factories import OrderFactory, UserFactory

pytestmark = pytest.mark.django_db

PROFILE = reverse("portal:profile")
CONTACT = reverse("portal:profile_contact")
VERIFY = reverse("portal:profile_verify")
NOTIFICATIONS = reverse("portal:profile_notifications")
NEW_ADDRESS = reverse("portal:profile_address_new")
# The page's quiet hours as they come (21-08, on).
QUIET = {"quiet_hours": "on", "quiet_start": "21", "quiet_end": "8"}

ADDRESS = {
    "label": "Home",
    "name": "Anna Berg",
    "line1": "Sveavägen 5",
    "postal_code": "113 50",
    "city": "Stockholm",
    "country": "se",
    "phone": "070-123 45 67",
}


def contact(**changes):
    return {
        "name": "Anna Berg",
        "phone": "",
        "email": "anna@example.com",
        **changes,
    }


def test_profile_page_shows_the_forms(portal):
    page = portal.get(PROFILE).content.decode()
    assert 'value="Anna Berg"' in page
    assert reverse("account_change_password") in page
    assert "Delivery addresses" in page


def test_contact_details_are_saved_normalized_and_audited(
    portal, portal_customer, portal_user
):
    response = portal.post(
        CONTACT, contact(name="Anna B. Berg", phone="+46 70 123 45 67")
    )

    assert response.status_code == 302
    portal_customer.refresh_from_db()
    assert portal_customer.name == "Anna B. Berg"
    assert portal_customer.phone == "+46701234567"
    event = AuditEvent.objects.get(action="profile.updated")
    assert event.actor == portal_user
    assert event.data["fields"] == ["name", "phone"]
    assert "+46701234567" not in str(event.data)


def test_bad_phone_changes_nothing(portal, portal_customer):
    response = portal.post(CONTACT, contact(name="Changed", phone="12"))

    assert response.status_code == 400
    assert "country code" in response.content.decode()
    portal_customer.refresh_from_db()
    assert portal_customer.name == "Anna Berg"
    assert not AuditEvent.objects.filter(action="profile.updated").exists()


def test_email_change_is_verified_before_it_becomes_the_sign_in(
    portal, portal_user, portal_customer
):
    response = portal.post(CONTACT, contact(email="anna.new@example.com"))

    assert response.status_code == 302
    assert [m.to for m in mail.outbox] == [["anna.new@example.com"]]
    portal_user.refresh_from_db()
    portal_customer.refresh_from_db()
    assert portal_user.email == "anna@example.com"
    assert portal_customer.email == "anna@example.com"
    assert "We sent a confirmation link to" in portal.get(PROFILE).content.decode()
    event = AuditEvent.objects.get(action="profile.updated")
    assert event.data["fields"] == ["email"]

    key = re.search(r"/accounts/confirm-email/([-:\w]+)/", mail.outbox[0].body)[1]
    portal.post(reverse("account_confirm_email", args=[key]))

    portal_user.refresh_from_db()
    portal_customer.refresh_from_db()
    assert portal_user.email == "anna.new@example.com"
    assert portal_customer.email == "anna.new@example.com"
    address = EmailAddress.objects.get(user=portal_user)
    assert (address.email, address.verified, address.primary) == (
        "anna.new@example.com",
        True,
        True,
    )


def test_email_of_another_account_is_refused(portal, portal_customer):
    UserFactory(username="taken", email="taken@example.com")
    response = portal.post(CONTACT, contact(email="Taken@example.com"))
    assert response.status_code == 400
    assert "another account" in response.content.decode()
    assert not mail.outbox


def test_unverified_email_banner_sends_verification(portal, portal_user):
    assert "is not verified yet" in portal.get(PROFILE).content.decode()

    portal.post(VERIFY)

    assert [m.to for m in mail.outbox] == [["anna@example.com"]]
    EmailAddress.objects.filter(user=portal_user).update(verified=True)
    assert "is not verified yet" not in portal.get(PROFILE).content.decode()


def test_notification_preferences_are_saved_and_used(
    portal, portal_customer, portal_user, store
):
    response = portal.post(
        NOTIFICATIONS, {"email": "on", "shipping_updates": "on", **QUIET}
    )

    assert response.status_code == 302
    preference = NotificationPreference.objects.get(customer=portal_customer)
    assert (preference.email, preference.sms, preference.whatsapp) == (
        True,
        False,
        False,
    )
    assert (preference.order_updates, preference.shipping_updates) == (False, True)
    assert AuditEvent.objects.get(action="profile.notifications_updated").data == {
        "fields": ["order_updates"]
    }

    order = OrderFactory(store=store, customer=portal_customer)
    notice = Notice(subject="s", body="b", text="t", group="order_updates")
    assert customer_notify(order=order, notice=notice) == []
    shipping = Notice(subject="s", body="b", text="t", group="shipping_updates")
    assert len(customer_notify(order=order, notice=shipping)) == 1


def test_quiet_hours_are_chosen_in_the_profile(portal, portal_customer):
    page = portal.get(PROFILE).content.decode()
    assert 'name="quiet_start"' in page
    assert "No texts or WhatsApp messages at night" in page

    chosen = {"email": "on", "sms": "on", "quiet_hours": "on"}
    response = portal.post(
        NOTIFICATIONS, {**chosen, "quiet_start": "22", "quiet_end": "7"}
    )
    assert response.status_code == 302
    preference = NotificationPreference.objects.get(customer=portal_customer)
    assert (preference.quiet_hours, preference.quiet_start, preference.quiet_end) == (
        True,
        22,
        7,
    )

    same = portal.post(NOTIFICATIONS, {**chosen, "quiet_start": "7", "quiet_end": "7"})
    assert same.status_code == 400
    assert "Pick an end other than the start." in same.content.decode()
    wrong = portal.post(
        NOTIFICATIONS, {**chosen, "quiet_start": "25", "quiet_end": "7"}
    )
    assert wrong.status_code == 400
    preference.refresh_from_db()
    assert (preference.quiet_start, preference.quiet_end) == (22, 7)


def test_first_address_is_the_default_and_audited(portal, portal_customer):
    response = portal.post(NEW_ADDRESS, ADDRESS)

    assert response.status_code == 302
    address = DeliveryAddress.objects.get(customer=portal_customer)
    assert address.is_default
    assert address.country == "SE"
    assert address.phone == "+46701234567"
    assert AuditEvent.objects.filter(
        action="profile.address_created", object_id=str(address.pk)
    ).exists()


def test_address_default_rules(portal, portal_customer):
    portal.post(NEW_ADDRESS, ADDRESS)
    portal.post(NEW_ADDRESS, {**ADDRESS, "label": "Office", "is_default": "on"})
    home = DeliveryAddress.objects.get(label="Home")
    office = DeliveryAddress.objects.get(label="Office")
    assert (home.is_default, office.is_default) == (False, True)

    portal.post(reverse("portal:profile_address_default", args=[home.pk]))
    home.refresh_from_db()
    office.refresh_from_db()
    assert (home.is_default, office.is_default) == (True, False)

    portal.post(reverse("portal:profile_address_delete", args=[home.pk]))
    office.refresh_from_db()
    assert office.is_default
    assert not DeliveryAddress.objects.filter(pk=home.pk).exists()
    assert AuditEvent.objects.filter(action="profile.address_deleted").exists()
    assert AuditEvent.objects.filter(action="profile.address_made_default").exists()


def test_address_edit_and_bad_input(portal, portal_customer):
    portal.post(NEW_ADDRESS, ADDRESS)
    address = DeliveryAddress.objects.get()
    url = reverse("portal:profile_address_edit", args=[address.pk])

    bad = portal.post(url, {**ADDRESS, "city": "Uppsala", "country": "Sweden"})
    assert bad.status_code == 400
    address.refresh_from_db()
    assert address.city == "Stockholm"

    assert portal.post(url, {**ADDRESS, "city": "Uppsala"}).status_code == 302
    address.refresh_from_db()
    assert address.city == "Uppsala"
    event = AuditEvent.objects.get(action="profile.address_updated")
    assert event.data["fields"] == ["city"]


def test_another_customers_address_is_404(portal, other_portal_user):
    theirs = DeliveryAddress.objects.create(
        customer=other_portal_user.customer,
        name="Olle",
        line1="Gatan 1",
        postal_code="111 11",
        city="Stockholm",
        country="SE",
        is_default=True,
    )
    for name in ("edit", "delete", "default"):
        url = reverse(f"portal:profile_address_{name}", args=[theirs.pk])
        assert portal.post(url, ADDRESS).status_code == 404
    assert (
        portal.get(reverse("portal:profile_address_edit", args=[theirs.pk])).status_code
        == 404
    )
    theirs.refresh_from_db()
    assert theirs.city == "Stockholm"


def test_profile_needs_a_customer(client, staff_user):
    client.force_login(staff_user)
    assert client.get(PROFILE).status_code == 404


def test_unverified_new_email_does_not_sign_in(client, portal_user):
    from tests.portal.conftest import PASSWORD

    client.force_login(portal_user)
    client.post(CONTACT, contact(email="anna.new@example.com"))
    client.logout()

    client.post(
        reverse("portal:login"),
        {"login": "anna.new@example.com", "password": PASSWORD},
    )
    assert "_auth_user_id" not in client.session
    client.post(
        reverse("portal:login"), {"login": "anna@example.com", "password": PASSWORD}
    )
    assert client.session["_auth_user_id"] == str(portal_user.pk)


def test_an_edit_that_makes_an_address_the_default_is_one_change(portal_customer):
    from portal import services

    data = {
        "name": "Anna",
        "line1": "Gatan 1",
        "postal_code": "111 11",
        "city": "Stockholm",
        "country": "SE",
    }
    first = services.address_create(
        customer=portal_customer, actor=portal_customer.user, data=data
    )
    second = services.address_create(
        customer=portal_customer, actor=portal_customer.user, data=data
    )
    services.address_update(
        address=second,
        actor=portal_customer.user,
        data={**data, "city": "Solna", "is_default": True},
    )
    first.refresh_from_db()
    second.refresh_from_db()
    assert (second.city, second.is_default, first.is_default) == ("Solna", True, False)
    with pytest.raises(ApplicationError):
        services.address_update(
            address=first,
            actor=portal_customer.user,
            data={**data, "city": "", "is_default": True},
        )
    first.refresh_from_db()
    assert first.is_default is False
