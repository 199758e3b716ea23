"""What every merchant page of the Orders view needs: members only, and times in
the merchant's zone. The other apps' staff pages use the same two decorators."""

from functools import wraps
from zoneinfo import ZoneInfo

from django.core.exceptions import PermissionDenied
from django.utils import timezone

from orders import (
    selectors,
)
from orders.models import Merchant
from performile.htmx import login_required_htmx


def member_required(view):
    """Signed in (an htmx request whose session has ended sends the whole page to
    sign-in: performile.htmx.login_required_htmx), and only merchant members
    (staff, resellers, suppliers) get past it."""
    return login_required_htmx(_members_only(view))


def _members_only(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not selectors.user_is_merchant_member(request.user):
            raise PermissionDenied("The Orders view is for merchant teams.")
        return view(request, *args, **kwargs)

    return wrapper


def merchant_timezone(view):
    """Show times (and read date filters) in the merchant's time zone, when the user
    works for merchants that share one; UTC otherwise."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        zone = _merchant_zone(request.user)
        if zone is None:
            return view(request, *args, **kwargs)
        with timezone.override(zone):
            return view(request, *args, **kwargs)

    return wrapper


def _merchant_zone(user) -> ZoneInfo | None:
    """The zone of the one merchant the user works for; None for several."""
    zones = list(
        selectors.user_stores(user)
        .order_by()
        .values_list("merchant__timezone", flat=True)
        .distinct()[:2]
    )
    return Merchant(timezone=zones[0]).zone if len(zones) == 1 else None
