"""The customer's overview: orders under way, recent orders and updates, what is
owed, and the shortcuts customers look for most."""

from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_safe

from invoices.filters import balance_totals
from portal import dashboard
from portal.selectors import portal_invoices, portal_orders
from portal.views.common import customer_required, live_context

ACTIVE_SHOWN = 10
RECENT_SHOWN = 5


@customer_required
@require_safe
def dashboard_view(request):
    user = request.user
    context = live_context()
    active = dashboard.with_rows(dashboard.active_orders(user))
    active_orders = list(active[: ACTIVE_SHOWN + 1])
    context.update(
        active_orders=active_orders[:ACTIVE_SHOWN],
        more_active=len(active_orders) > ACTIVE_SHOWN,
        recent_orders=list(dashboard.with_rows(portal_orders(user))[:RECENT_SHOWN]),
        notifications=dashboard.notifications(user),
        balances=balance_totals(portal_invoices(user)),
        payments=dashboard.recent_payments(user),
        latest_invoice=dashboard.latest_invoice(user),
        track_url=f"{reverse('portal:orders')}?status=active",
        support_url=reverse("portal:messages"),
    )
    return render(request, "portal/dashboard.html", context)
