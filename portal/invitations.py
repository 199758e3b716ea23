"""Invitations to the portal (docs/portal.md#invitations).

A merchant's staff invite a customer: the customer gets an account of their own,
without a usable password, and an email with allauth's set-password link (its
password-reset key), sent through the outbox in the transaction that made the
account. Setting the password (or a first sign-in) accepts the invitation.
Resending makes a new link and kills the old one; revoking kills the link and
closes the account. Every step is audited.

The first part is not about customers: an account that sets its own password
from an emailed link (`account_create`, `account_link_renew`, `password_link`,
`account_email_enqueue`), for any invitation by email.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field

from allauth.account.forms import default_token_generator
from allauth.account.models import EmailAddress
from allauth.account.utils import user_pk_to_url_str
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from orders.models import Customer
from orders.selectors import merchant_is_managed_by
from performile import outbox
from performile.actors import Actor
from performile.audit import audit
from performile.errors import ApplicationError, NotAllowed
from performile.models import OutboxMessage
from portal.models import PortalInvitation

Status = PortalInvitation.Status

# A customer's portal access, as the directory shows it: the state of their last
# invitation, or what they have without one.
ACCESS_LABELS = {
    "none": "Not invited",
    "invited": "Invited",
    "expired": "Invitation expired",
    "accepted": "Accepted",
    "revoked": "Revoked",
    "account": "Has an account",
    "closed": "Sign-in closed",
}


# --- An account that sets its own password ---------------------------------------


def email_check_available(email: str, *, user=None) -> None:
    """ApplicationError (400, on the `email` field) when another account signs in
    with `email` already (as its email or one of allauth's addresses)."""
    users = get_user_model().objects.filter(email__iexact=email)
    addresses = EmailAddress.objects.filter(email__iexact=email)
    if user is not None:
        users, addresses = users.exclude(pk=user.pk), addresses.exclude(user=user)
    if users.exists() or addresses.exists():
        message = (
            f"{email} is the email address of another account on the platform;"
            " an account needs an address of its own. Change the address, or ask"
            " the platform's operator about the other account."
        )
        raise ApplicationError(message, fields={"email": [message]})


def account_create(*, email: str, name: str = ""):
    """A new active account for `email` (its username and sign-in), without a
    usable password: nobody signs in with it until a link sets one."""
    email_check_available(email)
    users = get_user_model().objects
    username = email.lower()[:150]
    if users.filter(username__iexact=username).exists():
        message = f"The sign-in name {username} is taken by another account."
        raise ApplicationError(message, fields={"email": [message]})
    first, _, last = name.strip().partition(" ")
    user = users.create_user(
        username=username, email=email, first_name=first[:150], last_name=last[:150]
    )  # no password given: an unusable one
    EmailAddress.objects.create(user=user, email=email, primary=True, verified=False)
    return user


def account_link_renew(user, *, email: str | None = None, active: bool = True):
    """A new unusable password for `user`, which kills every link sent before (the
    key is a hash of the password); `email` becomes the account's address."""
    user.set_unusable_password()
    user.is_active = active
    fields = ["password", "is_active"]
    if email is not None and email != user.email:
        email_check_available(email, user=user)
        user.email = email
        fields.append("email")
        EmailAddress.objects.filter(user=user).delete()
        EmailAddress.objects.create(
            user=user, email=email, primary=True, verified=False
        )
    user.save(update_fields=fields)


def password_link(user) -> str:
    """allauth's set-password link for `user` (its password-reset key): it works
    until PASSWORD_RESET_TIMEOUT passes, the password changes or the user signs
    in."""
    path = reverse(
        "account_reset_password_from_key",
        kwargs={
            "uidb36": user_pk_to_url_str(user),
            "key": default_token_generator.make_token(user),
        },
    )
    return settings.PUBLIC_BASE_URL.rstrip("/") + path


def link_days() -> int:
    return max(1, settings.PASSWORD_RESET_TIMEOUT // 86400)


def account_email_enqueue(
    *, user, template: str, context: dict, subject: str
) -> OutboxMessage:
    """The invitation email (`template`, given `link` and `days` besides
    `context`) in the outbox, in the caller's transaction."""
    body = render_to_string(
        template, {**context, "link": password_link(user), "days": link_days()}
    )
    return outbox.enqueue(
        channel=OutboxMessage.Channel.EMAIL,
        recipient=user.email,
        subject=subject,
        body=body,
    )


# --- Customers ------------------------------------------------------------------


def invitation_send(*, customer: Customer, actor: Actor) -> PortalInvitation:
    """Invite the customer: an account for their email (a revoked invitation's
    account is opened again), linked to them, and the email with the link."""
    _check_manager(actor, customer)
    with transaction.atomic():
        customer = _locked(customer)
        latest = _latest(customer)
        _check_invitable(customer, latest)
        if customer.user is None:
            customer.user = account_create(email=customer.email, name=customer.name)
            customer.save(update_fields=["user"])
        else:
            account_link_renew(customer.user, email=customer.email)
        invitation = PortalInvitation.objects.create(
            customer=customer,
            user=customer.user,
            email=customer.email,
            invited_by=_user(actor),
        )
        _send(invitation)
        _audit("portal.invitation_sent", invitation, actor)
    return invitation


@dataclass
class Invited:
    """What inviting a selection did: who was invited, who not and why."""

    sent: list[PortalInvitation] = field(default_factory=list)
    skipped: list[tuple[Customer, str]] = field(default_factory=list)


def invitation_send_many(*, customers: Iterable[Customer], actor: Actor) -> Invited:
    """Invite each customer of a selection, each in a transaction of its own: one
    that cannot be invited (no email, invited already) is skipped with the
    reason, and the others are invited."""
    done = Invited()
    for customer in customers:
        try:
            done.sent.append(invitation_send(customer=customer, actor=actor))
        except NotAllowed:
            raise
        except ApplicationError as exc:
            done.skipped.append((customer, exc.message))
    return done


def invitation_resend(*, customer: Customer, actor: Actor) -> PortalInvitation:
    """A new email with a new link for the customer's open invitation (expired or
    not); the link sent before stops working."""
    _check_manager(actor, customer)
    with transaction.atomic():
        customer = _locked(customer)
        invitation = _latest(customer)
        if invitation is None or invitation.status != Status.INVITED:
            raise ApplicationError(
                f"{_who(customer)} has no open invitation to resend: invite them"
                " instead."
            )
        account_link_renew(invitation.user)
        invitation.sent_at = timezone.now()
        invitation.sends += 1
        invitation.save(update_fields=["sent_at", "sends"])
        _send(invitation)
        _audit("portal.invitation_resent", invitation, actor, sends=invitation.sends)
    return invitation


def invitation_revoke(*, customer: Customer, actor: Actor) -> PortalInvitation:
    """Take the invitation back: its link stops working and the account cannot
    sign in (an accepted invitation's too: the customer's portal access ends).
    Inviting the customer again opens the account again."""
    _check_manager(actor, customer)
    with transaction.atomic():
        customer = _locked(customer)
        invitation = _latest(customer)
        if invitation is None or invitation.status == Status.REVOKED:
            raise ApplicationError(f"{_who(customer)} has no invitation to revoke.")
        account_link_renew(invitation.user, active=False)
        was = invitation.state
        invitation.status = Status.REVOKED
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["status", "revoked_at"])
        _audit("portal.invitation_revoked", invitation, actor, was=was)
    return invitation


def invitation_accept(*, user) -> PortalInvitation | None:
    """The invited customer set their password (or signed in): the invitation is
    accepted, and the address the link went to is verified. None when the user
    has no open invitation."""
    with transaction.atomic():
        invitation = (
            PortalInvitation.objects.select_for_update()
            .select_related("customer")
            .filter(user=user, status=Status.INVITED)
            .first()
        )
        if invitation is None:
            return None
        invitation.status = Status.ACCEPTED
        invitation.accepted_at = timezone.now()
        invitation.save(update_fields=["status", "accepted_at"])
        EmailAddress.objects.filter(user=user, email__iexact=invitation.email).update(
            verified=True
        )
        _audit("portal.invitation_accepted", invitation, user)
    return invitation


# --- Reads ----------------------------------------------------------------------


def invitations_latest(customer_ids: Iterable[int]) -> dict[int, PortalInvitation]:
    """Each customer's last invitation, by customer id (one query)."""
    rows = (
        PortalInvitation.objects.filter(customer_id__in=list(customer_ids))
        .order_by("customer_id", "-created_at", "-id")
        .distinct("customer_id")
    )
    return {invitation.customer_id: invitation for invitation in rows}


def portal_access(customer: Customer, invitation: PortalInvitation | None) -> str:
    """The customer's portal access (a key of ACCESS_LABELS), given their last
    invitation."""
    if invitation is not None:
        return invitation.state
    if customer.user_id is None:
        return "none"
    return "account" if customer.user.is_active else "closed"


def access_actions(access: str) -> set[str]:
    """What staff may do about a customer's portal access in that state."""
    return {
        "none": {"invite"},
        "invited": {"resend", "revoke"},
        "expired": {"resend", "revoke"},
        "accepted": {"revoke"},
        "revoked": {"invite"},
    }.get(access, set())


# --- Helpers --------------------------------------------------------------------


def _check_manager(actor: Actor, customer: Customer) -> None:
    if not merchant_is_managed_by(actor, customer.merchant_id):
        raise NotAllowed("Only the merchant's staff can invite its customers.")


def _locked(customer: Customer) -> Customer:
    return (
        Customer.objects.select_for_update(of=("self",))
        .select_related("merchant", "user")
        .get(pk=customer.pk)
    )


def _latest(customer: Customer) -> PortalInvitation | None:
    return (
        PortalInvitation.objects.select_related("user")
        .filter(customer=customer)
        .order_by("-created_at", "-id")
        .first()
    )


def _check_invitable(customer: Customer, latest: PortalInvitation | None) -> None:
    who = _who(customer)
    if customer.is_erased:
        raise ApplicationError(f"{who} is erased: there is nobody to invite.")
    if not customer.email:
        message = f"{who} has no email address: add one before inviting them."
        raise ApplicationError(message, fields={"email": [message]})
    if customer.user is None:
        return
    if latest is not None and latest.status == Status.INVITED:
        raise ApplicationError(
            f"{who} is invited already (on {latest.sent_at:%Y-%m-%d}): resend the"
            " invitation instead."
        )
    if latest is not None and latest.status == Status.REVOKED:
        return  # invited again: the revoked account opens again
    if customer.user.is_active:
        raise ApplicationError(f"{who} has a portal account already.")
    raise ApplicationError(f"{who}'s portal sign-in is closed.")


def _send(invitation: PortalInvitation) -> None:
    customer = invitation.customer
    merchant = customer.merchant
    invitation.message = account_email_enqueue(
        user=invitation.user,
        template="portal/email/invitation.txt",
        subject=f"{merchant.name} invites you to your customer portal",
        context={
            "customer": customer,
            "merchant": merchant,
            "login_url": settings.PUBLIC_BASE_URL.rstrip("/") + reverse("portal:login"),
        },
    )
    invitation.save(update_fields=["message"])


def _audit(action: str, invitation: PortalInvitation, actor: Actor, **data) -> None:
    audit(
        action,
        actor=actor,
        target=invitation.customer,
        merchant_id=invitation.customer.merchant_id,
        invitation=invitation.pk,
        **data,
    )


def _user(actor: Actor):
    return actor if getattr(actor, "is_authenticated", False) else None


def _who(customer: Customer) -> str:
    return f"Customer {customer.customer_number}"
