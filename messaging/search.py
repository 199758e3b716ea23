"""Full-text search of messages for the merchant's staff and admins: the ranked
page of matches, then their highlighted snippets."""

from dataclasses import dataclass

from django.contrib.postgres.search import SearchHeadline, SearchRank
from django.db import connection, transaction
from django.db.models import F, Func, QuerySet, Value
from django.db.models.fields import TextField
from django.utils.html import escape

from messaging.filters import (
    InboxFilters,
    date_range,
    filter_threads,
    headline_config,
    internal_scope,
    search_query,
    unread_message,
)
from messaging.models import Message, Thread
from messaging.selectors import visible_threads
from orders.models import Order
from performile.errors import NotAllowed

SEARCH_LIMIT = 200
# ts_headline's highlight markers: private-use characters, so that the snippet is
# escaped as text first and only these become <mark> tags.
MARK_START, MARK_STOP = "\ue000", "\ue001"


@dataclass(frozen=True)
class SearchHit:
    message: Message
    order: Order
    rank: float
    snippet: str  # HTML: the text escaped, the matches in <mark>


def user_may_search(user) -> bool:
    return bool(internal_scope(user))


def message_search(
    user, filters: InboxFilters, *, limit: int = 25, offset: int = 0
) -> list[SearchHit]:
    """Messages matching the keyword and filters, best first (`ts_rank`: how
    often and how much of the message the words make up; then newest); without a keyword, newest first. Merchant staff, admins and
    superusers only, over their merchants' orders, internal notes included.

    Two queries: the page of ids and ranks, then the page's messages with their
    highlighted snippet (ts_headline is costly, so only for the page)."""
    scope = internal_scope(user)
    if not scope:
        raise NotAllowed("Message search is for the merchant's staff and admins.")
    limit = max(1, min(limit, SEARCH_LIMIT))
    offset = max(0, offset)
    # The words as the index reads them: one database round trip, used twice.
    query = search_query(filters.q) if filters.q else None
    page = _search_page(user, scope, filters, query, limit=limit, offset=offset)
    if not page:
        return []
    messages = _with_snippet(
        Message.objects.filter(pk__in=[pk for pk, _ in page]), query
    ).select_related("thread__order", "author_user", "author_customer", "redaction")
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
    user, scope, filters: InboxFilters, query, *, limit: int, offset: int
) -> list[tuple[int, float]]:
    """(id, rank) of the page's messages, in order (`query`: the keyword's
    `search_query`, None without one)."""
    threads = _search_threads(user, scope, filters).values("pk")
    messages = _search_messages(user, scope, filters)
    if query is None:
        newest = messages.filter(thread__in=threads).order_by("-created_at", "-id")
        return [
            (pk, 0.0)
            for pk in newest.values_list("pk", flat=True)[offset : offset + limit]
        ]
    return _ranked_page(messages, threads, query, limit=limit, offset=offset)


def _search_threads(user, scope, filters: InboxFilters) -> QuerySet[Thread]:
    threads = visible_threads(user)
    if scope is not True:
        threads = threads.filter(merchant_id__in=list(scope))
    return filter_threads(threads, filters, user)


def _search_messages(user, scope, filters: InboxFilters) -> QuerySet[Message]:
    """The rules on the message row itself (its merchant is its thread's). A
    redacted message is never found: its text is withdrawn (docs/privacy.md)."""
    messages = Message.objects.filter(
        date_range("created_at", filters), thread__isnull=False, redaction=None
    )
    if scope is not True:
        messages = messages.filter(merchant_id__in=list(scope))
    if filters.channel:
        messages = messages.filter(channel=filters.channel)
    if filters.unread:
        messages = messages.filter(unread_message(user))
    return messages


def _ranked_page(messages, threads, query, *, limit: int, offset: int):
    """Rank the matching messages (the GIN index finds them; their merchant is
    checked on the row), then keep, best first, those of visible threads until
    the page is full. The ranked subquery is kept apart (OFFSET 0) so that the
    thread check runs on the best rows only, not on every match before ranking
    (the planner underestimates multi-word matches and would do the latter)."""
    ranked = (
        messages.filter(search=query)
        .annotate(
            # ts_rank, not ts_rank_cd: ranking thousands of matches by cover
            # density cost 2.6 times as much (docs/decisions.md, "Search cost").
            rank=SearchRank(F("search"), query),
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


class _ConcatWs(Func):
    function = "CONCAT_WS"
    output_field = TextField()


def _with_snippet(messages: QuerySet[Message], query) -> QuerySet[Message]:
    text = _ConcatWs(
        Value(" — "), Func(F("subject"), Value(""), function="NULLIF"), F("body")
    )
    if query is None:
        return messages.annotate(
            snippet=Func(
                text, Value(1), Value(240), function="SUBSTR", output_field=TextField()
            )
        )
    return messages.annotate(
        snippet=SearchHeadline(
            text,
            query,
            config=headline_config(),
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
