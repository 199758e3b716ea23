"""Accounts made for someone else (a merchant's new team member, a customer):
created without a usable password, and a set-password email sent through the
outbox, in the caller's transaction. The link is allauth's password-reset link
(`/accounts/password/reset/key/...`), so the person chooses their password on the
sign-in site; it stops working once used (the password it checks changed)."""

from allauth.account.forms import default_token_generator
from allauth.account.utils import user_pk_to_url_str
from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse

from performile import outbox
from performile.models import OutboxMessage


def account_for_email(email: str, *, name: str = "") -> tuple[object, bool]:
    """The account with this email address, or a new one without a usable
    password (it cannot sign in until the person sets one); (user, created)."""
    users = get_user_model().objects
    email = email.strip()
    found = users.filter(email__iexact=email).order_by("pk").first()
    if found is not None:
        return found, False
    first, _, last = name.strip().partition(" ")
    user = users.create_user(
        username=_free_username(email), email=email, first_name=first, last_name=last
    )
    user.set_unusable_password()
    user.save(update_fields=["password"])
    return user, True


def _free_username(email: str) -> str:
    users = get_user_model().objects
    base = email.lower()[:140]
    candidate, n = base, 1
    while users.filter(username__iexact=candidate).exists():
        n += 1
        candidate = f"{base}-{n}"
    return candidate


def set_password_url(user) -> str:
    path = reverse(
        "account_reset_password_from_key",
        kwargs={
            "uidb36": user_pk_to_url_str(user),
            "key": default_token_generator.make_token(user),
        },
    )
    return settings.PUBLIC_BASE_URL.rstrip("/") + path


def invitation_send(*, user, subject: str, intro: str) -> OutboxMessage:
    """Queue the email: `intro` (who invites them to what), then the link to set
    a password, or to sign in when the account has a password already."""
    if user.has_usable_password():
        action = "Sign in with your account:\n" + (
            settings.PUBLIC_BASE_URL.rstrip("/") + reverse("account_login")
        )
    else:
        action = (
            "Choose your password here (the link works once):\n"
            + set_password_url(user)
        )
    return outbox.enqueue(
        channel=OutboxMessage.Channel.EMAIL,
        recipient=user.email,
        subject=subject,
        body=f"{intro}\n\n{action}\n",
    )
