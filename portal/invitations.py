"""Invitations to the portal (docs/portal.md#invitations).

A merchant's staff invite a customer: the customer gets an account of their own,
without a usable password, and an email with allauth's set-password link (its
password-reset key), sent through the outbox in the transaction that made the
account. Setting the password (or a first sign-in) accepts the invitation.
Resending makes a new link and kills the old one; revoking kills the link and
closes the account. Every step is audited.

The account and its emailed link are `performile.invitations`, which team
invitations use too.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.db import transaction
from django.db.models import (
    Case,
    CharField,
    F,
    OuterRef,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from orders.languages import customer_language, writing_to
from orders.models import Customer
from orders.selectors import merchant_is_managed_by
from performile.actors import Actor
from performile.audit import audit
from performile.errors import ApplicationError, NotAllowed
from performile.invitations import (
    account_create,
    account_email_enqueue,
    account_link_renew,
)
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


def with_portal_access(customers: QuerySet[Customer]) -> QuerySet[Customer]:
    """Annotate `portal_access`, the customer's portal access (a key of
    ACCESS_LABELS): their last invitation's state (an open one whose link is older
    than PASSWORD_RESET_TIMEOUT is expired, as `PortalInvitation.state` says);
    without one, whether they have an account and it is open. In SQL, so that the
    directory filters by it as its rows show it."""
    latest = PortalInvitation.objects.filter(customer=OuterRef("pk")).order_by(
        "-created_at", "-id"
    )
    valid_since = timezone.now() - timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT)
    invited = PortalInvitation.Status.INVITED
    return customers.annotate(
        latest_status=Subquery(latest.values("status")[:1]),
        latest_sent_at=Subquery(latest.values("sent_at")[:1]),
    ).annotate(
        portal_access=Case(
            When(
                latest_status=invited,
                latest_sent_at__lte=valid_since,
                then=Value("expired"),
            ),
            When(latest_status__isnull=False, then=F("latest_status")),
            When(user__isnull=True, then=Value("none")),
            When(user__is_active=True, then=Value("account")),
            default=Value("closed"),
            output_field=CharField(),
        )
    )


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
    # In the customer's language: the staff member inviting them may speak another.
    with writing_to(customer_language(customer)):
        invitation.message = account_email_enqueue(
            user=invitation.user,
            template="portal/email/invitation.txt",
            subject=_("%(merchant)s invites you to your customer portal")
            % {"merchant": merchant.name},
            context={
                "customer": customer,
                "merchant": merchant,
                "login_url": settings.PUBLIC_BASE_URL.rstrip("/")
                + reverse("portal:login"),
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
