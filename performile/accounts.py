from allauth.account.adapter import DefaultAccountAdapter
from django.contrib import messages
from django.http import HttpResponseRedirect


class ClosedSignupAdapter(DefaultAccountAdapter):
    """Accounts are created by a merchant's admin, never by self sign-up."""

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
