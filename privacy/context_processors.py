"""The nav's link to open privacy requests, for the merchant's staff and admins
while there are any."""

from django.utils.functional import SimpleLazyObject

from privacy.selectors import privacy_requests_open


def privacy_nav(request):
    """Lazy: only a page that shows the nav (a full staff page, not an htmx
    partial) runs the count, and only for someone who may see requests."""
    return {"privacy_nav": SimpleLazyObject(lambda: _privacy_nav(request.user))}


def _privacy_nav(user) -> dict | None:
    if not user.is_authenticated:
        return None
    count = privacy_requests_open(user).count()  # no query for anyone else
    return {"open": count} if count else None
