"""Sign-in, sign-out and the session's keep-alive; allauth does the work."""

from allauth.account.views import LoginView, LogoutView
from django.http import JsonResponse
from django.views.decorators.http import require_POST

from portal.selectors import portal_customer
from portal.session import idle_limit, session_touch


class PortalLoginView(LoginView):
    template_name = "portal/login.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["timed_out"] = self.request.GET.get("timeout") == "1"
        context["idle_minutes"] = idle_limit() // 60
        return context

    def get_success_url(self):
        return super().get_success_url() or "/portal/"


class PortalLogoutView(LogoutView):
    def get_redirect_url(self):
        return "/portal/login/"


@require_POST
def session_keepalive(request):
    """ "Stay signed in": any request restarts the idle clock (the middleware);
    this one answers how long the session now has."""
    if portal_customer(request.user) is None:
        return JsonResponse({"signed_in": False}, status=401)
    # Always, not only every touch_every() seconds: the page's clock restarts now.
    session_touch(request)
    return JsonResponse({"signed_in": True, "idle_seconds": idle_limit()})
