"""The staff inbox: the threads a user may see, filtered, with their unread
counts; and one thread a page at a time.

Everything starts from `messaging.selectors.visible_threads`; internal notes count
only in the merchants where the user is staff or admin. The filters are
`messaging.filters`', shared with message search (`messaging.search`); both are
importable from here too.
"""

from dataclasses import dataclass

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone

from messaging import sla
from messaging.filters import (
    InboxFilters,
    date_range,
    day_start,
    filter_threads,
    inbox_filters_from,
    internal_messages,
    internal_scope,
    search_query,
    unread_message,
)
from messaging.models import Message, Thread, ThreadReadState
from messaging.search import SearchHit, message_search, user_may_search
from messaging.selectors import (
    has_unread,
    thread_for_order,
    thread_messages,
    thread_unread_count,
    visible_threads,
    with_unread,
)
from orders.models import Order

__all__ = [
    "InboxFilters",
    "VIEWS",
    "SearchHit",
    "ThreadPage",
    "current_view",
    "day_start",
    "inbox_filters_from",
    "inbox_threads",
    "internal_scope",
    "message_is_read",
    "message_search",
    "thread_page",
    "unread_total",
    "user_may_search",
    "view_counts",
]

Direction = Message.Direction


def _has_unread(user, scope) -> Q:
    if isinstance(scope, bool):
        return has_unread(user, internal=scope)
    staff_here = Q(merchant_id__in=list(scope))
    return (staff_here & has_unread(user, internal=True)) | (
        ~staff_here & has_unread(user, internal=False)
    )


# --- The inbox ---------------------------------------------------------------------


def inbox_threads(user, filters: InboxFilters) -> QuerySet[Thread]:
    """The threads `user` may see, filtered, newest activity first, each with
    `unread` (their messages the user has not read). The date range is on the
    thread's last activity; `q` and `channel` keep threads having such a message
    (among those the user may see)."""
    if not user or not user.is_authenticated:
        return Thread.objects.none()
    scope = internal_scope(user)
    threads = filter_threads(visible_threads(user), filters, user)
    if filters.reply == "waiting":
        threads = threads.filter(
            status=Thread.Status.OPEN, awaiting_reply_since__isnull=False
        )
    elif filters.reply:
        threads = sla.waiting_for_reply(threads, filters.reply, timezone.now())
    # A thread opened with no message yet (the drawer's panel) is no conversation.
    threads = threads.exclude(last_message_at=None)
    threads = threads.filter(date_range("last_message_at", filters))
    if filters.unread:
        threads = threads.filter(_has_unread(user, scope))
    message_rule = internal_messages(scope)
    if filters.channel:
        message_rule &= Q(channel=filters.channel)
    if filters.q:
        # A redacted message's words no longer find its thread.
        message_rule &= Q(search=search_query(filters.q), redaction=None)
    if filters.channel or filters.q:
        threads = threads.filter(
            Exists(Message.objects.filter(message_rule, thread=OuterRef("pk")))
        )
    threads = with_unread(threads, user, internal=scope)
    related = ("order", "store", "order__customer", "order__assigned_staff")
    return (
        threads.select_related(*related)
        .prefetch_related("labels")
        .order_by(F("last_message_at").desc(nulls_last=True), "-id")
    )


# --- One thread, a page at a time ------------------------------------------------


@dataclass(frozen=True)
class ThreadPage:
    thread: Thread | None  # None while the order has no conversation yet
    messages: list[Message]  # oldest first
    has_more: bool  # more messages beyond the page, in the direction asked
    read_up_to: int  # how far the user has read the thread (message id)
    unread: int


def thread_page(
    user, order: Order, *, limit: int = 50, before: int | None = None, after=None
) -> ThreadPage:
    """A page of the order's thread as `user` may see it, oldest first: the newest
    `limit` messages (before the id `before`, for older pages), or the oldest after
    the id `after` (to catch up). A fixed number of queries whatever the page."""
    thread = thread_for_order(order)
    if thread is None:
        return ThreadPage(None, [], False, 0, 0)
    thread.order = order
    messages = thread_messages(user, order).filter(thread=thread)
    if after is not None:
        rows = list(messages.filter(pk__gt=after).order_by("id")[: limit + 1])
        page = rows[:limit]
    else:
        if before is not None:
            messages = messages.filter(pk__lt=before)
        rows = list(messages.order_by("-id")[: limit + 1])
        page = rows[:limit][::-1]
    for message in page:
        message.thread = thread
    read_up_to = (
        ThreadReadState.objects.filter(thread=thread, user=user)
        .values_list("last_read_id", flat=True)
        .first()
    ) or 0
    return ThreadPage(
        thread=thread,
        messages=page,
        has_more=len(rows) > limit,
        read_up_to=read_up_to,
        unread=thread_unread_count(user, thread, read_up_to=read_up_to),
    )


def message_is_read(message: Message, user, read_up_to: int) -> bool:
    return (
        message.pk <= read_up_to
        or message.author_user_id == user.pk
        or message.direction == Direction.SYSTEM
    )


def unread_total(user, threads: QuerySet[Thread]) -> int:
    """The sum of `unread` over `threads` (from `inbox_threads`), as one count of
    messages rather than a count per thread."""
    messages = Message.objects.filter(
        unread_message(user),
        internal_messages(internal_scope(user)),
        thread__in=threads.values("pk"),
    )
    return messages.count()


# --- The Inbox's views --------------------------------------------------------------


@dataclass(frozen=True)
class View:
    key: str
    label: str
    query: dict  # the filters it sets


VIEWS = (
    View("all", "All conversations", {}),
    View("mine", "Mine", {"assignee": "mine"}),
    View("unassigned", "Unassigned", {"assignee": "unassigned"}),
    View("waiting", "Awaiting reply", {"reply": "waiting"}),
    View("overdue", "Reply overdue", {"reply": "overdue"}),
    View("snoozed", "Snoozed", {"snoozed": "1"}),
    View("closed", "Closed", {"status": "closed"}),
)
# The views whose open conversations are counted beside their name.
COUNTED = ("mine", "unassigned", "waiting", "snoozed")


def view_counts(user) -> dict[str, int]:
    """How many open conversations each of COUNTED holds for `user`, in one
    query (snoozed ones count only as snoozed)."""
    now = timezone.now()
    awake = Q(snoozed_until=None) | Q(snoozed_until__lte=now)
    threads = visible_threads(user).filter(
        status=Thread.Status.OPEN, last_message_at__isnull=False
    )
    return threads.aggregate(
        mine=Count("pk", filter=awake & Q(order__assigned_staff=user)),
        unassigned=Count("pk", filter=awake & Q(order__assigned_staff=None)),
        waiting=Count("pk", filter=awake & Q(awaiting_reply_since__isnull=False)),
        snoozed=Count("pk", filter=Q(snoozed_until__gt=now)),
    )


def current_view(query) -> str:
    """The view whose filters the query string sets exactly: a key of VIEWS, or
    "label:<id>" for a label's; "" when the filters are another mix."""
    given = {
        name: value
        for name, value in query.items()
        if value and name not in ("page", "open")
    }
    if list(given) == ["label"]:
        return f"label:{given['label']}"
    for view in VIEWS:
        if given == view.query:
            return view.key
    return ""
