"""One set of filters for the inbox and message search, read from a query string,
and the rules on which messages a user may see among those of visible threads
(internal notes only in the merchants where the user is staff or admin)."""

import datetime as dt
from dataclasses import dataclass
from datetime import date

from django.contrib.postgres.search import SearchQuery
from django.db import connection
from django.db.models import Case, Exists, OuterRef, Q, QuerySet, Value, When
from django.utils import timezone

from messaging.languages import CONFIGS as LANGUAGE_CONFIGS
from messaging.models import SEARCH_CONFIG, Message, Thread, ThreadReadState
from orders.selectors import user_team_merchant_ids
from orders.state_machine import OrderStatus
from performile.errors import ApplicationError

Visibility = Message.Visibility
Direction = Message.Direction
Q_LIMIT = 200
TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"", "0", "false", "no", "off"}


# --- Filters -----------------------------------------------------------------


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
    assignee: str = ""  # "", "mine", "unassigned": the order's assigned staff member
    reply: str = ""  # "", "waiting", "overdue", "near": the customer's wait
    label_id: int | None = None  # conversations carrying this label
    snoozed: bool = False  # only the snoozed ones (else they are left out)


ASSIGNEES = ("mine", "unassigned")
REPLY_STATES = ("waiting", "overdue", "near")


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
    assignee = _choice(get("assignee"), ASSIGNEES, "assignee", errors)
    reply = _choice(get("reply"), REPLY_STATES, "reply", errors)
    snoozed = _boolean(get("snoozed"), "snoozed", errors)
    label_id = _positive_int(get("label"), "label", errors)
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
        assignee=assignee,
        reply=reply,
        label_id=label_id,
        snoozed=snoozed,
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


def date_range(field: str, filters: InboxFilters) -> Q:
    rule = Q()
    if filters.date_from:
        rule &= Q(**{f"{field}__gte": day_start(filters.date_from)})
    if filters.date_to:
        next_day = filters.date_to + dt.timedelta(days=1)
        rule &= Q(**{f"{field}__lt": day_start(next_day)})
    return rule


def search_query(q: str) -> SearchQuery:
    """The words as each language reads them (a message is indexed in its own):
    the four languages' queries, each distinct one once. Most words (names,
    numbers, English) read the same in all four, and asking the index the same
    thing four times made search twice as slow."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT DISTINCT websearch_to_tsquery(config::regconfig, %s)::text"
            " FROM unnest(%s::text[]) AS config",
            [q, list(LANGUAGE_CONFIGS.values())],
        )
        readings = sorted(row[0] for row in cursor.fetchall() if row[0])
    if not readings:  # only stop words: nothing can match
        return SearchQuery(q, search_type="websearch", config=SEARCH_CONFIG)
    # The readings are tsquery text already: parsed again without stemming.
    queries = [
        SearchQuery(text, search_type="raw", config="simple") for text in readings
    ]
    combined = queries[0]
    for query in queries[1:]:
        combined |= query
    return combined


def headline_config():
    """Each message's own configuration, for highlighting the words found."""
    return Case(
        *(
            When(language=code, then=Value(config))
            for code, config in LANGUAGE_CONFIGS.items()
        ),
        default=Value(SEARCH_CONFIG),
    )


def filter_threads(
    threads: QuerySet[Thread], filters: InboxFilters, user=None
) -> QuerySet[Thread]:
    """The filters on the thread itself: its status, labels and snooze, its
    order's (status, who it is assigned to: `user` for "mine"), its store. A
    snoozed conversation shows only among the snoozed, and in a search."""
    if filters.assignee == "mine":
        threads = threads.filter(order__assigned_staff=user)
    elif filters.assignee == "unassigned":
        threads = threads.filter(order__assigned_staff=None)
    if filters.status:
        threads = threads.filter(status=filters.status)
    if filters.order_status:
        threads = threads.filter(order__status=filters.order_status)
    if filters.store_id:
        threads = threads.filter(store_id=filters.store_id)
    if filters.label_id:
        threads = threads.filter(labels=filters.label_id)
    now = timezone.now()
    if filters.snoozed:
        threads = threads.filter(snoozed_until__gt=now)
    elif not filters.q:
        threads = threads.filter(Q(snoozed_until=None) | Q(snoozed_until__lte=now))
    return threads


# --- Who sees internal notes -------------------------------------------------------


def internal_scope(user) -> bool | frozenset[int]:
    """True for superusers (every note), else the merchants where the user is
    staff or admin (False when none)."""
    if not user or not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return frozenset(user_team_merchant_ids(user)) or False


def internal_messages(scope, prefix: str = "") -> Q:
    """Messages the user may see among those of visible threads."""
    if scope is True:
        return Q()
    public = Q(**{f"{prefix}visibility": Visibility.PUBLIC})
    if scope is False:
        return public
    return public | Q(**{f"{prefix}merchant_id__in": list(scope)})


def unread_message(user) -> Q:
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
