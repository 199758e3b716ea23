"""The nav's Inbox link and its unread count, for merchant members."""

from django.db.models import Q
from django.utils.functional import SimpleLazyObject

from messaging.filters import internal_scope
from messaging.selectors import has_unread, visible_threads
from orders.selectors import user_is_merchant_member

NAV_COUNT_CAP = 100  # "99+": counting further costs time and tells nobody more


def inbox_nav(request):
    """Lazy: only a page that shows the nav runs the one count query."""
    return {"inbox_nav": SimpleLazyObject(lambda: _inbox_nav(request.user))}


def _inbox_nav(user) -> dict | None:
    if not user_is_merchant_member(user):
        return None
    return {"unread": inbox_unread_count(user)}


def inbox_unread_count(user) -> int:
    """Visible threads with something the user has not read (internal notes count
    where they are staff or admin)."""
    scope = internal_scope(user)
    if isinstance(scope, bool):
        unread = has_unread(user, internal=scope)
    else:
        team = Q(merchant_id__in=list(scope))
        unread = (team & has_unread(user, internal=True)) | (
            ~team & has_unread(user, internal=False)
        )
    threads = visible_threads(user).filter(unread).values("pk")[:NAV_COUNT_CAP]
    return threads.count()
