"""Portal sessions end after 30 minutes without a request (the business rule);
staff sessions keep the platform's own length.

The middleware remembers when a customer's session was last used. A request after
the idle limit signs them out and sends them to sign-in with a note; the portal's
pages warn two minutes before (static/js/portal.js) and a click on "Stay signed in"
(any request) starts the 30 minutes again. The live updates' own requests (marked
`X-Portal-Live: 1`) do not: an open tab is not activity.
"""

import time

from django.conf import settings
from django.contrib.auth import logout
from django.http import JsonResponse
from django.urls import reverse

from performile.htmx import redirect_page
from portal.selectors import portal_customer

LAST_SEEN = "portal_last_seen"


def idle_limit() -> int:
    return getattr(settings, "PORTAL_SESSION_IDLE_SECONDS", 30 * 60)


def touch_every() -> int:
    """The session is written at most this often (seconds), not on every request;
    the page's warning counts this much early, as the server may be that far
    behind it."""
    return min(30, idle_limit() // 10)


def is_portal_user(user) -> bool:
    """A customer who is no one else on the platform (staff keep their sessions)."""
    if not user.is_authenticated or user.is_staff or user.is_superuser:
        return False
    if portal_customer(user) is None:
        return False
    from orders.selectors import user_memberships

    return not user_memberships(user)


def is_live_refresh(request) -> bool:
    """One of the live updates' own requests (static/js/portal-live.js marks them
    `X-Portal-Live: 1`), fetched because an order changed, not because the customer
    asked: it neither restarts the idle clock nor is audited (portal.audit)."""
    return request.headers.get("X-Portal-Live") == "1"


def session_touch(request, now: int | None = None) -> None:
    """Restart the idle clock now."""
    request.session[LAST_SEEN] = int(time.time()) if now is None else now


class PortalSessionTimeoutMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and is_portal_user(user):
            now = int(time.time())
            last_seen = request.session.get(LAST_SEEN)
            if last_seen is not None and now - last_seen > idle_limit():
                logout(request)
                return self._signed_out(request)
            if not is_live_refresh(request) and (
                last_seen is None or now - last_seen >= touch_every()
            ):
                session_touch(request, now)
        return self.get_response(request)

    @staticmethod
    def _signed_out(request):
        login = reverse("portal:login") + "?timeout=1"
        if request.path.startswith("/api/"):
            return JsonResponse(
                {
                    "error": {
                        "code": "session_expired",
                        "message": f"Signed out after {idle_limit() // 60}"
                        " minutes without activity. Sign in again.",
                    }
                },
                status=401,
            )
        return redirect_page(request, login)
