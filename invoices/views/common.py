"""What every staff page shares: who gets in, the merchant's time zone, and how
a finished action answers (a toast, the dialog closed, the page updated)."""

from functools import wraps

from django.http import Http404

from invoices.access import ensure_may_manage, is_billing_staff
from invoices.models import Invoice
from orders.selectors import user_is_merchant_member
from orders.views.common import merchant_timezone
from performile.htmx import login_required_htmx

PAGE_SIZE = 25


def billing_staff_required(view):
    """Signed in, and staff, admin or reseller; anyone else gets a 404: to them
    these pages do not exist."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not is_billing_staff(request.user):
            raise Http404("No such page.")
        return view(request, *args, **kwargs)

    return login_required_htmx(wrapper)


def members_only(view):
    """The order drawer's people (staff, resellers, suppliers); a 404 for others."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not user_is_merchant_member(request.user):
            raise Http404("No such page.")
        return view(request, *args, **kwargs)

    return login_required_htmx(wrapper)


def staff_page(view):
    return billing_staff_required(merchant_timezone(view))


def require_manage(user, invoice: Invoice) -> None:
    """A 403 (NotAllowed is Django's PermissionDenied) for anyone but the invoice's
    merchant's staff."""
    ensure_may_manage(user, invoice.merchant_id)


def without_page(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()
