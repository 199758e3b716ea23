"""What every staff page shares: who gets in, the merchant's time zone, and how
a finished action answers (a toast, the dialog closed, the page updated)."""

from functools import wraps

from django.core.exceptions import PermissionDenied
from django.http import Http404

from invoices.models import Invoice
from orders.models import Membership
from orders.selectors import (
    user_is_merchant_member,
    user_memberships,
    user_team_merchant_ids,
)
from orders.views import merchant_timezone
from performile.htmx import login_required_htmx

PAGE_SIZE = 25


def is_billing_staff(user) -> bool:
    """Merchant staff, admins and resellers: the people of the invoice pages."""
    if not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or any(
        membership.is_team or membership.role == Membership.Role.RESELLER
        for membership in user_memberships(user)
    )


# Signed in; an htmx request whose session has ended sends the whole page to sign-in.
signed_in = login_required_htmx


def billing_staff_required(view):
    """Signed in, and staff, admin or reseller; anyone else gets a 404: to them
    these pages do not exist."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not is_billing_staff(request.user):
            raise Http404("No such page.")
        return view(request, *args, **kwargs)

    return signed_in(wrapper)


def members_only(view):
    """The order drawer's people (staff, resellers, suppliers); a 404 for others."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not user_is_merchant_member(request.user):
            raise Http404("No such page.")
        return view(request, *args, **kwargs)

    return signed_in(wrapper)


def staff_page(view):
    return billing_staff_required(merchant_timezone(view))


def may_manage(user, invoice: Invoice) -> bool:
    """Payments, credit notes and voids: the merchant's staff and admins."""
    return user.is_superuser or invoice.merchant_id in user_team_merchant_ids(user)


def require_manage(user, invoice: Invoice) -> None:
    if not may_manage(user, invoice):
        raise PermissionDenied("Only the merchant's staff change invoices.")


def without_page(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()
