"""`/`: customers go to the portal, signed-out visitors to sign-in, the merchant's
people get the dashboard."""

from django.shortcuts import redirect, render
from django.views.decorators.http import require_safe

from invoices.access import is_billing_staff
from messaging.filters import internal_scope
from orders.selectors import user_is_merchant_member
from orders.views.common import merchant_timezone
from performile import broker
from portal.session import is_portal_user
from workspace import tasks
from workspace.dashboard import history, selectors


@require_safe
def home(request):
    user = request.user
    if user.is_authenticated and is_portal_user(user):
        return redirect("portal:dashboard")
    if not user.is_authenticated:
        return redirect("account_login")
    if not user_is_merchant_member(user):
        return redirect("orders:list")  # which says what this account may not do
    return _dashboard(request)


@merchant_timezone
def _dashboard(request):
    user = request.user
    messaging = bool(internal_scope(user))
    board = selectors.dashboard(
        user, messaging=messaging, billing=is_billing_staff(user)
    )
    if board.history_stale:
        # Shown as kept; computed again in the background for the next view.
        broker.enqueue(
            tasks.dashboard_history_refresh,
            user.pk,
            board.zone,
            board.today.isoformat(),
            messaging,
        )
    return render(
        request,
        "workspace/dashboard.html",
        {"board": board, "history_minutes": history.FRESH_SECONDS // 60},
    )
