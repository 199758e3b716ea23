"""The team in the settings: invite by email (an account without a password and
a set-password email through the outbox; the link lets them choose one and sign
in), change a role, remove a member; a merchant always keeps an admin."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from orders.models import Membership
from performile.models import AuditEvent, OutboxMessage

pytestmark = pytest.mark.django_db
Role = Membership.Role


def _invite(client, **data):
    return client.post(
        reverse("workspace:settings:team-invite"),
        {"email": "new.colleague@example.com", "name": "Nora Berg", "role": "staff"}
        | data,
    )


def test_an_invitation_makes_an_account_and_queues_the_email(admin_client, merchant):
    response = _invite(admin_client)
    assert response.status_code == 302
    user = get_user_model().objects.get(email="new.colleague@example.com")
    assert not user.has_usable_password()
    assert user.first_name == "Nora"
    membership = Membership.objects.get(user=user)
    assert (membership.merchant, membership.role) == (merchant, Role.STAFF)
    email = OutboxMessage.objects.get(recipient="new.colleague@example.com")
    assert email.channel == OutboxMessage.Channel.EMAIL
    assert merchant.name in email.subject
    assert "/accounts/password/reset/key/" in email.body
    assert AuditEvent.objects.filter(action="membership.invited").exists()


def test_the_invitation_link_sets_a_password_and_signs_in(admin_client, client):
    _invite(admin_client)
    body = OutboxMessage.objects.get().body
    link = re.search(r"https?://\S+(/accounts/password/reset/key/\S+)", body)[1]
    landing = client.get(link)
    assert landing.status_code == 302  # allauth moves the key into the session
    form = client.get(landing.url)
    assert form.status_code == 200
    done = client.post(
        landing.url,
        {"password1": "a-Long-new-pw-91", "password2": "a-Long-new-pw-91"},
    )
    assert done.status_code == 302
    client.logout()
    assert client.login(
        username="new.colleague@example.com", password="a-Long-new-pw-91"
    )


def test_inviting_a_member_again_is_400(admin_client):
    _invite(admin_client)
    response = _invite(admin_client)
    assert response.status_code == 400
    assert "already in the team" in response.content.decode()
    assert OutboxMessage.objects.count() == 1


def test_a_reseller_needs_a_store(admin_client, second_store):
    response = _invite(admin_client, role="reseller")
    assert response.status_code == 400
    assert "at least one store" in response.content.decode()
    assert not get_user_model().objects.filter(email="new.colleague@example.com")
    assert (
        _invite(admin_client, role="reseller", stores=[second_store.pk]).status_code
        == 302
    )
    membership = Membership.objects.get(user__email="new.colleague@example.com")
    assert list(membership.stores.all()) == [second_store]


def test_an_admin_changes_a_role(admin_client, staff_user):
    membership = staff_user.memberships.get()
    url = reverse("workspace:settings:member", args=[membership.pk])
    response = admin_client.post(url, {f"m{membership.pk}-role": "admin"})
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.role == Role.ADMIN
    event = AuditEvent.objects.get(action="membership.role_changed")
    assert (event.data["role"], event.data["previous"]) == ("admin", "staff")


def test_the_last_admin_cannot_step_down_or_be_removed(admin_client, admin_member):
    membership = admin_member.memberships.get()
    url = reverse("workspace:settings:member", args=[membership.pk])
    response = admin_client.post(url, {f"m{membership.pk}-role": "staff"})
    assert response.status_code == 400
    assert "at least one admin" in response.content.decode()
    remove = reverse("workspace:settings:member-remove", args=[membership.pk])
    refused = admin_client.post(remove, follow=True)
    assert "at least one admin" in refused.content.decode()
    membership.refresh_from_db()
    assert membership.role == Role.ADMIN


def test_an_admin_removes_a_member(admin_client, staff_user):
    membership = staff_user.memberships.get()
    remove = reverse("workspace:settings:member-remove", args=[membership.pk])
    assert admin_client.post(remove).status_code == 302
    assert not Membership.objects.filter(pk=membership.pk).exists()
    assert get_user_model().objects.filter(pk=staff_user.pk).exists()
    assert AuditEvent.objects.filter(action="membership.removed").exists()


def test_an_existing_account_joins_without_a_new_one(
    admin_client, other_merchant_staff
):
    accounts = get_user_model().objects.count()
    response = _invite(admin_client, email=other_merchant_staff.email.upper())
    assert response.status_code == 302
    assert get_user_model().objects.count() == accounts
    assert other_merchant_staff.memberships.count() == 2
    email = OutboxMessage.objects.get()
    assert email.recipient == other_merchant_staff.email
    assert "/accounts/login/" in email.body  # they have a password already
    assert "/password/reset/" not in email.body
