"""The audit trail of customers' sign-ins (portal rules: every customer action),
and what the portal's records do when an invitation is answered, a customer is
merged or erased."""

from allauth.account.signals import email_confirmed, password_reset
from django.contrib.auth.signals import (
    user_logged_in,
    user_logged_out,
    user_login_failed,
)
from django.dispatch import receiver
from django.utils import timezone

from orders import signals as order_signals
from performile.audit import audit
from portal.invitations import invitation_accept
from portal.models import DeliveryAddress, PortalInvitation
from portal.selectors import portal_customer
from portal.services import ADDRESS_FIELDS, profile_email_confirmed
from privacy import signals as privacy_signals


def _merchant_id(user):
    customer = portal_customer(user)
    return customer.merchant_id if customer else None


@receiver(user_logged_in, dispatch_uid="portal-audit-login")
def on_logged_in(sender, request, user, **kwargs):
    audit("auth.signed_in", actor=user, target=user, merchant_id=_merchant_id(user))


@receiver(user_logged_in, dispatch_uid="portal-invitation-signed-in")
def on_invited_signed_in(sender, request, user, **kwargs):
    """A first sign-in accepts an open invitation (the password was set another
    way: "Forgot password?")."""
    invitation_accept(user=user)


@receiver(password_reset, dispatch_uid="portal-invitation-password-set")
def on_password_set(sender, request, user, **kwargs):
    """The invitation's link (allauth's set-password page) was used."""
    invitation_accept(user=user)


@receiver(user_logged_out, dispatch_uid="portal-audit-logout")
def on_logged_out(sender, request, user, **kwargs):
    if user is not None:
        audit(
            "auth.signed_out", actor=user, target=user, merchant_id=_merchant_id(user)
        )


@receiver(user_login_failed, dispatch_uid="portal-audit-login-failed")
def on_login_failed(sender, credentials, request=None, **kwargs):
    login = credentials.get("username") or credentials.get("email") or ""
    audit(
        "auth.sign_in_failed",
        actor_label=f"sign-in attempt as {login}"[:200],
        login=login[:200],
        ip=(request.META.get("REMOTE_ADDR", "") if request is not None else ""),
    )


@receiver(email_confirmed, dispatch_uid="portal-email-confirmed")
def on_email_confirmed(sender, request, email_address, **kwargs):
    """A verified address becomes the customer's sign-in and contact email."""
    profile_email_confirmed(email_address=email_address)


@receiver(order_signals.customer_merging, dispatch_uid="portal-customer-merging")
def on_customer_merging(sender, *, customer_id, into_id, **kwargs):
    """The addresses move with the customer; the merged-into default stays the
    default."""
    moving = DeliveryAddress.objects.filter(customer_id=customer_id)
    if DeliveryAddress.objects.filter(customer_id=into_id, is_default=True).exists():
        moving.update(is_default=False)
    moving.update(customer_id=into_id)
    # The merge refuses two customers with accounts: one at most has invitations.
    PortalInvitation.objects.filter(customer_id=customer_id).update(customer_id=into_id)


@receiver(privacy_signals.customer_exporting, dispatch_uid="portal-customer-exporting")
def on_customer_exporting(sender, *, customer, **kwargs):
    """The customer's saved delivery addresses, for their data export."""
    addresses = DeliveryAddress.objects.filter(customer=customer)
    return {
        "delivery_addresses": [
            {
                **{name: getattr(address, name) for name in ADDRESS_FIELDS},
                "is_default": address.is_default,
                "created_at": address.created_at,
            }
            for address in addresses
        ]
    }


@receiver(privacy_signals.customer_erasing, dispatch_uid="portal-customer-erasing")
def on_customer_erasing(sender, *, customer, **kwargs):
    """Inside the erasure's transaction: the saved addresses go (nothing refers
    to them; orders keep their own copy, erased with them)."""
    deleted, _ = DeliveryAddress.objects.filter(customer=customer).delete()
    invitations = PortalInvitation.objects.filter(customer=customer)
    invitations.filter(status=PortalInvitation.Status.INVITED).update(
        status=PortalInvitation.Status.REVOKED, revoked_at=timezone.now()
    )
    erased = invitations.update(email="")
    return {"delivery_addresses": deleted, "portal_invitations": erased}
