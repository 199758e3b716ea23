"""What the messaging endpoints share: who may use the merchant-wide ones, and
reading a number from the query string."""

from rest_framework.permissions import BasePermission

from messaging.search import user_may_search
from performile.errors import ApplicationError


class IsMerchantStaff(BasePermission):
    """Merchant staff, admins and superusers (not resellers, suppliers or
    customers)."""

    message = "This is for the merchant's staff and admins."

    def has_permission(self, request, view):
        return user_may_search(request.user)


def int_param(params, name: str, *, default=None, low=1, high=None):
    raw = params.get(name)
    if raw in (None, ""):
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ApplicationError(
            f"{name} must be a whole number.", fields={name: ["Not a number."]}
        ) from None
    if value < low or (high is not None and value > high):
        bounds = f"between {low} and {high}" if high else f"at least {low}"
        raise ApplicationError(
            f"{name} must be {bounds}.", fields={name: ["Out of range."]}
        )
    return value
