from allauth.account.adapter import DefaultAccountAdapter


class ClosedSignupAdapter(DefaultAccountAdapter):
    """Accounts are created by a merchant's admin, never by self sign-up."""

    def is_open_for_signup(self, request):
        return False
