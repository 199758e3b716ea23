"""Accounts made for someone else (a merchant's new team member, a customer):
created without a usable password, and a set-password email sent through the
outbox, in the caller's transaction. The link is allauth's password-reset link
(`/accounts/password/reset/key/...`), so the person chooses their password on the
sign-in site; it stops working once used (the password it checks changed)."""

from allauth.account.forms import default_token_generator
from allauth.account.models import EmailAddress
from allauth.account.utils import user_pk_to_url_str
from django.conf import settings
from django.contrib.auth import get_user_model
from django.template.loader import render_to_string
from django.urls import reverse

from performile import outbox
from performile.errors import ApplicationError
from performile.models import OutboxMessage


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


def account_for_email(email: str, *, name: str = "") -> tuple[object, bool]:
    """The account with this email address, or a new one without a usable
    password (it cannot sign in until the person sets one); (user, created)."""
    users = get_user_model().objects
    email = email.strip()
    found = users.filter(email__iexact=email).order_by("pk").first()
    if found is not None:
        return found, False
    user = account_create(email=email, name=name)
    return user, True


def team_invitation_enqueue(*, user, subject: str, intro: str) -> OutboxMessage:
    """A team member's invitation (customers get `account_email_enqueue` with the
    portal's template). Queue the email: `intro` (who invites them to what), then the link to set
    a password, or to sign in when the account has a password already."""
    if user.has_usable_password():
        action = "Sign in with your account:\n" + (
            settings.PUBLIC_BASE_URL.rstrip("/") + reverse("account_login")
        )
    else:
        action = "Choose your password here (the link works once):\n" + password_link(
            user
        )
    return outbox.enqueue(
        channel=OutboxMessage.Channel.EMAIL,
        recipient=user.email,
        subject=subject,
        body=f"{intro}\n\n{action}\n",
    )
