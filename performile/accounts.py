from allauth.account.adapter import DefaultAccountAdapter
from django.contrib import messages
from django.contrib.auth import get_backends, get_user_model
from django.contrib.sites.shortcuts import get_current_site
from django.http import HttpResponseRedirect


class ClosedSignupAdapter(DefaultAccountAdapter):
    """Accounts are created by a merchant's admin, never by self sign-up."""

    def _get_login_attempts_cache_key(self, request, **credentials) -> str:
        """Failed sign-ins count per account, whatever identifier was typed (an
        email, a username, a customer number): five wrong passwords by email lock
        the customer-number door too. An identifier no account has counts alone."""
        login = credentials.get("email", credentials.get("username", "")).strip()
        user_id = account_id(login)
        if user_id is None:
            return super()._get_login_attempts_cache_key(request, **credentials)
        return f"{get_current_site(request).domain}:account:{user_id}"

    def is_open_for_signup(self, request):
        return False

    def pre_login(self, request, user, *, email=None, **kwargs):
        """An address added but not verified yet (a customer's changed email, see
        the portal's profile) does not sign in: the current one does until then."""
        from allauth.account.internal.stagekit import clear_login
        from allauth.account.models import EmailAddress

        if email and (user.email or "").lower() != email.lower():
            pending = EmailAddress.objects.filter(
                user=user, email__iexact=email, verified=False
            )
            if pending.exists():
                clear_login(request)
                messages.error(
                    request,
                    "Confirm this email address from the link we sent first; until"
                    " then sign in with your current address.",
                )
                return HttpResponseRedirect(request.get_full_path())
        return super().pre_login(request, user, email=email, **kwargs)


def account_id(login: str) -> int | None:
    """The id of the account a sign-in identifier names: an email or a username,
    or what an authentication backend knows it by (`account_id(login)`, e.g. the
    portal's customer numbers)."""
    if not login:
        return None
    users = get_user_model().objects
    if "@" in login:
        from allauth.account.models import EmailAddress

        found = (
            EmailAddress.objects.filter(email__iexact=login)
            .values_list("user_id", flat=True)
            .first()
            or users.filter(email__iexact=login).values_list("pk", flat=True).first()
        )
        return found
    if (
        found := users.filter(username__iexact=login)
        .values_list("pk", flat=True)
        .first()
    ):
        return found
    for backend in get_backends():
        if hasattr(backend, "account_id") and (found := backend.account_id(login)):
            return found
    return None
