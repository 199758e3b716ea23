"""The staff inbox and message search: one set of filters, read from a query
string, applied to the threads (the inbox) or to the messages (full-text search).

Everything starts from `messaging.selectors.visible_threads`; internal notes count
and match only in the merchants where the user is staff or admin.
"""

import datetime as dt
from dataclasses import dataclass
from datetime import date

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank
from django.db import connection, transaction
from django.db.models import Exists, F, Func, OuterRef, Q, QuerySet, Value
from django.db.models.fields import TextField
from django.utils import timezone
from django.utils.html import escape

from messaging.models import SEARCH_CONFIG, Message, Thread, ThreadReadState
from messaging.selectors import (
    has_unread,
    thread_for_order,
    thread_messages,
    thread_unread_count,
    visible_threads,
    with_unread,
)
from orders.models import Order
from orders.selectors import user_team_merchant_ids
from orders.state_machine import OrderStatus
from performile.errors import ApplicationError, NotAllowed

Visibility = Message.Visibility
Direction = Message.Direction
Q_LIMIT = 200
SEARCH_LIMIT = 200
TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"", "0", "false", "no", "off"}
# ts_headline's highlight markers: private-use characters, so that the snippet is
# escaped as text first and only these become <mark> tags.
MARK_START, MARK_STOP = "\ue000", "\ue001"


@dataclass(frozen=True)
class InboxFilters:
    q: str = ""  # keyword (full-text)
    status: str = ""  # "", "open", "closed"  (thread status)
    unread: bool = False  # only threads/messages unread by the user
    order_status: str = ""  # orders.state_machine.OrderStatus value
    channel: str = ""  # Message.Channel value
    store_id: int | None = None
    date_from: date | None = None
    date_to: date | None = None


@dataclass(frozen=True)
class SearchHit:
    message: Message
    order: Order
    rank: float
    snippet: str  # HTML: the text escaped, the matches in <mark>


# --- Filters -----------------------------------------------------------------


def inbox_filters_from(data) -> InboxFilters:
    """The filters of a query string (request.GET, a QueryDict or a dict); an
    ApplicationError naming every bad field."""
    errors: dict[str, list[str]] = {}

    def get(name: str) -> str:
        value = data.get(name, "")
        return "" if value is None else str(value).strip()

    q = get("q")
    if len(q) > Q_LIMIT:
        errors["q"] = [f"At most {Q_LIMIT} characters."]
    status = _choice(get("status"), Thread.Status.values, "status", errors)
    order_status = _choice(
        get("order_status"), OrderStatus.values, "order_status", errors
    )
    channel = _choice(get("channel"), Message.Channel.values, "channel", errors)
    unread = _boolean(get("unread"), "unread", errors)
    store_field = "store" if get("store") else "store_id"
    store_id = _positive_int(get(store_field), store_field, errors)
    date_from = _date(get("date_from"), "date_from", errors)
    date_to = _date(get("date_to"), "date_to", errors)
    if date_from and date_to and date_from > date_to:
        errors.setdefault("date_to", []).append("Before date_from.")
    if errors:
        raise ApplicationError("Invalid filters.", fields=errors)
    return InboxFilters(
        q=q,
        status=status,
        unread=unread,
        order_status=order_status,
        channel=channel,
        store_id=store_id,
        date_from=date_from,
        date_to=date_to,
    )


def _choice(value: str, choices, name: str, errors: dict) -> str:
    if value and value not in choices:
        errors[name] = [f"Choose one of: {', '.join(choices)}."]
        return ""
    return value


def _boolean(value: str, name: str, errors: dict) -> bool:
    lowered = value.lower()
    if lowered in TRUE_WORDS:
        return True
    if lowered not in FALSE_WORDS:
        errors[name] = ["Use true or false."]
    return False


def _positive_int(value: str, name: str, errors: dict) -> int | None:
    if not value:
        return None
    if not value.isdigit() or int(value) < 1:
        errors[name] = ["Not an id."]
        return None
    return int(value)


def _date(value: str, name: str, errors: dict) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        errors[name] = ["Use YYYY-MM-DD."]
        return None


def day_start(day: date) -> dt.datetime:
    """Midnight of `day` in the current time zone."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _date_range(field: str, filters: InboxFilters) -> Q:
    rule = Q()
    if filters.date_from:
        rule &= Q(**{f"{field}__gte": day_start(filters.date_from)})
    if filters.date_to:
        next_day = filters.date_to + dt.timedelta(days=1)
        rule &= Q(**{f"{field}__lt": day_start(next_day)})
    return rule


def _search_query(q: str) -> SearchQuery:
    return SearchQuery(q, search_type="websearch", config=SEARCH_CONFIG)


# --- Who sees internal notes -------------------------------------------------------


def internal_scope(user) -> bool | frozenset[int]:
    """True for superusers (every note), else the merchants where the user is
    staff or admin (False when none)."""
    if not user or not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return frozenset(user_team_merchant_ids(user)) or False


def _internal_messages(scope, prefix: str = "") -> Q:
    """Messages the user may see among those of visible threads."""
    if scope is True:
        return Q()
    public = Q(**{f"{prefix}visibility": Visibility.PUBLIC})
    if scope is False:
        return public
    return public | Q(**{f"{prefix}merchant_id__in": list(scope)})


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
    threads = visible_threads(user)
    if filters.status:
        threads = threads.filter(status=filters.status)
    if filters.order_status:
        threads = threads.filter(order__status=filters.order_status)
    if filters.store_id:
        threads = threads.filter(store_id=filters.store_id)
    threads = threads.filter(_date_range("last_message_at", filters))
    if filters.unread:
        threads = threads.filter(_has_unread(user, scope))
    message_rule = _internal_messages(scope)
    if filters.channel:
        message_rule &= Q(channel=filters.channel)
    if filters.q:
        message_rule &= Q(search=_search_query(filters.q))
    if filters.channel or filters.q:
        threads = threads.filter(
            Exists(Message.objects.filter(message_rule, thread=OuterRef("pk")))
        )
    threads = with_unread(threads, user, internal=scope)
    return threads.select_related("order", "store", "order__customer").order_by(
        F("last_message_at").desc(nulls_last=True), "-id"
    )


# --- Search ------------------------------------------------------------------------


def user_may_search(user) -> bool:
    return bool(internal_scope(user))


def message_search(
    user, filters: InboxFilters, *, limit: int = 25, offset: int = 0
) -> list[SearchHit]:
    """Messages matching the keyword and filters, best first (cover density rank,
    then newest); without a keyword, newest first. Merchant staff, admins and
    superusers only, over their merchants' orders, internal notes included.

    Two queries: the page of ids and ranks, then the page's messages with their
    highlighted snippet (ts_headline is costly, so only for the page)."""
    scope = internal_scope(user)
    if not scope:
        raise NotAllowed("Message search is for the merchant's staff and admins.")
    limit = max(1, min(limit, SEARCH_LIMIT))
    offset = max(0, offset)
    page = _search_page(user, scope, filters, limit=limit, offset=offset)
    if not page:
        return []
    messages = _with_snippet(
        Message.objects.filter(pk__in=[pk for pk, _ in page]), filters.q
    ).select_related("thread__order", "author_user", "author_customer")
    by_pk = {message.pk: message for message in messages}
    return [
        SearchHit(
            message=by_pk[pk],
            order=by_pk[pk].thread.order,
            rank=float(rank),
            snippet=_safe_snippet(by_pk[pk].snippet),
        )
        for pk, rank in page
        if pk in by_pk
    ]


def _search_page(
    user, scope, filters: InboxFilters, *, limit: int, offset: int
) -> list[tuple[int, float]]:
    """(id, rank) of the page's messages, in order."""
    threads = _search_threads(user, scope, filters).values("pk")
    messages = _search_messages(user, scope, filters)
    if not filters.q:
        newest = messages.filter(thread__in=threads).order_by("-created_at", "-id")
        return [
            (pk, 0.0)
            for pk in newest.values_list("pk", flat=True)[offset : offset + limit]
        ]
    return _ranked_page(messages, threads, filters.q, limit=limit, offset=offset)


def _search_threads(user, scope, filters: InboxFilters) -> QuerySet[Thread]:
    threads = visible_threads(user)
    if scope is not True:
        threads = threads.filter(merchant_id__in=list(scope))
    if filters.status:
        threads = threads.filter(status=filters.status)
    if filters.order_status:
        threads = threads.filter(order__status=filters.order_status)
    if filters.store_id:
        threads = threads.filter(store_id=filters.store_id)
    return threads


def _search_messages(user, scope, filters: InboxFilters) -> QuerySet[Message]:
    """The rules on the message row itself (its merchant is its thread's)."""
    messages = Message.objects.filter(
        _date_range("created_at", filters), thread__isnull=False
    )
    if scope is not True:
        messages = messages.filter(merchant_id__in=list(scope))
    if filters.channel:
        messages = messages.filter(channel=filters.channel)
    if filters.unread:
        messages = messages.filter(_unread_message(user))
    return messages


def _ranked_page(messages, threads, q: str, *, limit: int, offset: int):
    """Rank the matching messages (the GIN index finds them; their merchant is
    checked on the row), then keep, best first, those of visible threads until
    the page is full. The ranked subquery is kept apart (OFFSET 0) so that the
    thread check runs on the best rows only, not on every match before ranking
    (the planner underestimates multi-word matches and would do the latter)."""
    query = _search_query(q)
    ranked = (
        messages.filter(search=query)
        .annotate(
            rank=SearchRank(F("search"), query, cover_density=True),
            ref_thread=F("thread_id"),
            ref_created=F("created_at"),
        )
        .order_by("-rank", "-created_at", "-id")
        .values("pk", "ref_thread", "ref_created", "rank")
    )
    ranked_sql, ranked_params = ranked.query.sql_with_params()
    threads_sql, threads_params = threads.query.sql_with_params()
    sql = (
        f"SELECT ranked.pk, ranked.rank FROM ({ranked_sql} OFFSET 0) ranked"
        f" WHERE ranked.ref_thread IN ({threads_sql})"
        " ORDER BY ranked.rank DESC, ranked.ref_created DESC, ranked.pk DESC"
        " LIMIT %s OFFSET %s"
    )
    with transaction.atomic(), connection.cursor() as cursor:
        # Starting parallel workers costs more than ranking a few thousand rows.
        cursor.execute("SET LOCAL max_parallel_workers_per_gather = 0")
        cursor.execute(sql, (*ranked_params, *threads_params, limit, offset))
        return cursor.fetchall()


def _unread_message(user) -> Q:
    """Messages after how far `user` has read their thread, by someone else (not
    system messages): `selectors.unread_messages`, for many threads at once."""
    read = ThreadReadState.objects.filter(
        thread=OuterRef("thread_id"), user=user, last_read_id__gte=OuterRef("pk")
    )
    return (
        ~Q(Exists(read))
        & ~Q(direction=Direction.SYSTEM)
        & (Q(author_user=None) | ~Q(author_user=user))
    )


class _ConcatWs(Func):
    function = "CONCAT_WS"
    output_field = TextField()


def _with_snippet(messages: QuerySet[Message], q: str) -> QuerySet[Message]:
    text = _ConcatWs(
        Value(" — "), Func(F("subject"), Value(""), function="NULLIF"), F("body")
    )
    if not q:
        return messages.annotate(
            snippet=Func(
                text, Value(1), Value(240), function="SUBSTR", output_field=TextField()
            )
        )
    return messages.annotate(
        snippet=SearchHeadline(
            text,
            _search_query(q),
            config=SEARCH_CONFIG,
            start_sel=MARK_START,
            stop_sel=MARK_STOP,
            max_words=30,
            min_words=10,
            max_fragments=2,
            fragment_delimiter=" … ",
        )
    )


def _safe_snippet(raw: str) -> str:
    """Escape the text; only our markers become <mark> tags, always balanced."""
    parts, open_mark, chunk = [], False, []
    for char in raw or "":
        if char in (MARK_START, MARK_STOP):
            parts.append(escape("".join(chunk)))
            chunk = []
            if char == MARK_START and not open_mark:
                parts.append("<mark>")
                open_mark = True
            elif char == MARK_STOP and open_mark:
                parts.append("</mark>")
                open_mark = False
            continue
        chunk.append(char)
    parts.append(escape("".join(chunk)))
    if open_mark:
        parts.append("</mark>")
    return "".join(parts)


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
        unread=thread_unread_count(user, thread),
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
        _unread_message(user),
        _internal_messages(internal_scope(user)),
        thread__in=threads.values("pk"),
    )
    return messages.count()
