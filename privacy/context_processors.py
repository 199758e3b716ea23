"""The nav's link to open privacy requests, for the merchant's staff and admins
while there are any."""

from django.utils.functional import SimpleLazyObject

from orders.selectors import user_team_merchant_ids
from privacy.models import PrivacyRequest


def privacy_nav(request):
    """Lazy: only a page that shows the nav runs the count."""
    return {"privacy_nav": SimpleLazyObject(lambda: _privacy_nav(request.user))}


def _privacy_nav(user) -> dict | None:
    if not user.is_authenticated:
        return None
    merchants = user_team_merchant_ids(user)
    if not merchants:
        return None
    count = PrivacyRequest.objects.filter(
        merchant_id__in=merchants, status=PrivacyRequest.Status.OPEN
    ).count()
    return {"open": count} if count else None
