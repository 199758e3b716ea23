"""Staff invite a customer to the portal: an account without a password, one email
in the outbox with allauth's set-password link; the customer sets a password and
is in. Resending replaces the link, revoking kills it and closes the account."""

import re
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.utils import timezone

from orders.customers import customer_merge
from performile.errors import ApplicationError, NotAllowed
from performile.models import AuditEvent, OutboxMessage
from portal.invitations import (
    invitation_resend,
    invitation_revoke,
    invitation_send,
    invitation_send_many,
)
from portal.models import PortalInvitation
from privacy.services import customer_erase
from tests.factories import CustomerFactory, UserFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Blue-Harbour-42"
LINK = re.compile(r"https?://\S+/accounts/password/reset/key/\S+/")


@pytest.fixture
def bo(merchant):
    """A customer of the shop without a portal account."""
    return CustomerFactory(
        merchant=merchant,
        name="Bo Lind",
        email="bo@example.com",
        customer_number="C20000001",
    )


def link_in(message: OutboxMessage) -> str:
    return LINK.search(message.body).group(0)


def path_of(link: str) -> str:
    return re.sub(r"^https?://[^/]+", "", link)


def sign_in(client, login: str, password: str = NEW_PASSWORD):
    """Through the portal's sign-in form."""
    return client.post("/portal/login/", {"login": login, "password": password})


def set_password(client, link: str, password: str = NEW_PASSWORD):
    """Open the link (allauth puts the key in the session and redirects to the
    form) and choose the password."""
    page = client.get(path_of(link))
    assert page.status_code == 302, page.content.decode()[:500]
    return client.post(page.url, {"password1": password, "password2": password})


def test_an_invitation_creates_the_account_and_one_outbox_email(
    bo, staff_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        invitation = invitation_send(customer=bo, actor=staff_user)
    bo.refresh_from_db()
    user = bo.user
    assert user is not None
    assert user.email == "bo@example.com"
    assert user.is_active
    assert not user.has_usable_password()
    assert EmailAddress.objects.get(user=user).primary
    assert invitation.state == "invited"
    assert invitation.invited_by == staff_user
    message = OutboxMessage.objects.get()
    assert invitation.message == message
    assert (message.channel, message.recipient) == ("email", "bo@example.com")
    assert "invites you" in message.subject
    assert "C20000001" in message.body
    assert link_in(message)
    assert len(callbacks) == 1  # sent by Celery once the transaction commits
    assert AuditEvent.objects.filter(
        action="portal.invitation_sent", actor=staff_user, object_id=str(bo.pk)
    ).exists()


def test_the_round_trip_from_the_email_to_the_portal(
    client, bo, staff_user, eager_celery, mailoutbox, django_capture_on_commit_callbacks
):
    """The email goes out through the outbox's sender; its link sets the password
    and signs the customer in; the invitation is accepted and the address
    verified."""
    with django_capture_on_commit_callbacks(execute=True):
        invitation = invitation_send(customer=bo, actor=staff_user)
    assert OutboxMessage.objects.get().status == OutboxMessage.Status.SENT
    (email,) = mailoutbox
    assert email.to == ["bo@example.com"]
    link = LINK.search(email.body).group(0)

    response = set_password(client, link)
    assert response.status_code == 302
    assert client.get("/portal/").status_code == 200
    invitation.refresh_from_db()
    assert invitation.state == "accepted"
    assert invitation.accepted_at
    assert EmailAddress.objects.get(user=invitation.user).verified
    assert AuditEvent.objects.filter(action="portal.invitation_accepted").exists()

    # The link worked once.
    client.logout()
    assert client.get(path_of(link)).status_code == 200  # the "no longer works" page
    # And the customer signs in with the password, by number or email.
    assert sign_in(client, "C20000001").status_code == 302


def test_resend_makes_a_new_link_and_kills_the_old_one(client, bo, staff_user):
    invitation_send(customer=bo, actor=staff_user)
    first = link_in(OutboxMessage.objects.get())
    invitation = invitation_resend(customer=bo, actor=staff_user)
    assert invitation.sends == 2
    assert OutboxMessage.objects.count() == 2
    second = link_in(invitation.message)
    assert second != first

    dead = client.get(path_of(first))
    assert dead.status_code == 200
    assert "This link no longer works" in dead.content.decode()
    assert set_password(client, second).status_code == 302
    invitation.refresh_from_db()
    assert invitation.state == "accepted"


def test_revoke_kills_the_link_and_the_account_cannot_sign_in(client, bo, staff_user):
    invitation_send(customer=bo, actor=staff_user)
    link = link_in(OutboxMessage.objects.get())
    invitation = invitation_revoke(customer=bo, actor=staff_user)
    assert invitation.state == "revoked"
    assert invitation.revoked_at
    bo.refresh_from_db()
    assert not bo.user.is_active

    assert "This link no longer works" in client.get(path_of(link)).content.decode()
    assert client.get(path_of(link)).status_code == 200
    assert AuditEvent.objects.filter(
        action="portal.invitation_revoked", data__was="invited"
    ).exists()

    # Invited again: the same account opens, with a new link.
    again = invitation_send(customer=bo, actor=staff_user)
    assert again.user == bo.user
    assert again.state == "invited"
    assert set_password(client, link_in(again.message)).status_code == 302
    assert client.get("/portal/").status_code == 200


def test_revoking_an_accepted_invitation_ends_the_portal_access(client, bo, staff_user):
    invitation = invitation_send(customer=bo, actor=staff_user)
    set_password(client, link_in(invitation.message))
    assert client.get("/portal/").status_code == 200

    invitation_revoke(customer=bo, actor=staff_user)
    assert client.get("/portal/").status_code == 302  # the session is gone
    client.logout()
    assert sign_in(client, "bo@example.com").status_code == 200  # refused


def test_a_customer_with_an_account_cannot_be_invited(customer, staff_user):
    with pytest.raises(ApplicationError, match="has a portal account already"):
        invitation_send(customer=customer, actor=staff_user)
    assert not PortalInvitation.objects.exists()
    assert not OutboxMessage.objects.exists()


def test_an_invited_customer_is_not_invited_twice(bo, staff_user):
    invitation_send(customer=bo, actor=staff_user)
    with pytest.raises(ApplicationError, match="resend the invitation instead"):
        invitation_send(customer=bo, actor=staff_user)
    assert PortalInvitation.objects.count() == 1
    assert OutboxMessage.objects.count() == 1


def test_an_email_of_another_account_is_refused_and_nothing_changes(
    merchant, bo, staff_user
):
    """Another account signs in with the customer's address (here a staff
    member's): no account, no email, no invitation."""
    UserFactory(username="someone", email="BO@example.com")
    users = get_user_model().objects.count()
    with pytest.raises(ApplicationError, match="another account") as caught:
        invitation_send(customer=bo, actor=staff_user)
    assert caught.value.fields["email"]
    bo.refresh_from_db()
    assert bo.user is None
    assert get_user_model().objects.count() == users
    assert not PortalInvitation.objects.exists()
    assert not OutboxMessage.objects.exists()


def test_a_customer_without_an_email_cannot_be_invited(merchant, staff_user):
    silent = CustomerFactory(merchant=merchant, email="", phone="+46701111111")
    with pytest.raises(ApplicationError, match="no email address"):
        invitation_send(customer=silent, actor=staff_user)


def test_another_merchants_staff_may_not_invite(bo, other_merchant_staff):
    with pytest.raises(NotAllowed):
        invitation_send(customer=bo, actor=other_merchant_staff)
    assert not PortalInvitation.objects.exists()


def test_a_selection_invites_who_it_can_and_says_why_not_the_others(
    merchant, bo, customer, staff_user
):
    done = invitation_send_many(customers=[bo, customer], actor=staff_user)
    assert [invitation.customer for invitation in done.sent] == [bo]
    assert [(c, "account" in reason) for c, reason in done.skipped] == [
        (customer, True)
    ]
    assert OutboxMessage.objects.count() == 1


def test_an_old_link_is_expired_and_resent(bo, staff_user, settings):
    invitation = invitation_send(customer=bo, actor=staff_user)
    PortalInvitation.objects.filter(pk=invitation.pk).update(
        sent_at=timezone.now() - timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT + 1)
    )
    invitation.refresh_from_db()
    assert invitation.state == "expired"
    assert invitation_resend(customer=bo, actor=staff_user).state == "invited"


def test_a_first_sign_in_accepts_the_invitation(client, bo, staff_user):
    """The customer chose a password through "Forgot password?" instead."""
    invitation = invitation_send(customer=bo, actor=staff_user)
    invitation.user.set_password(NEW_PASSWORD)
    invitation.user.save()
    assert sign_in(client, "bo@example.com").status_code == 302
    invitation.refresh_from_db()
    assert invitation.state == "accepted"


def test_the_invitations_move_with_a_merged_customer(merchant, bo, staff_user):
    invitation = invitation_send(customer=bo, actor=staff_user)
    other = CustomerFactory(merchant=merchant, email="")
    into = customer_merge(customer=bo, into=other, actor=staff_user)
    invitation.refresh_from_db()
    assert invitation.customer == into
    assert into.user == invitation.user


def test_an_erasure_revokes_the_invitation_and_blanks_its_address(bo, staff_user):
    invitation = invitation_send(customer=bo, actor=staff_user)
    customer_erase(customer=bo, actor=staff_user, confirmation=bo.customer_number)
    invitation.refresh_from_db()
    assert invitation.state == "revoked"
    assert invitation.email == ""
    with pytest.raises(ApplicationError, match="erased"):
        invitation_send(customer=bo, actor=staff_user)
