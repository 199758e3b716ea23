"""Views of the Orders table: the built-in ones and each user's saved ones.

A view is a query string of the list (its filters and sort), normalized so that the
same view is always the same string: the keys the list reads, in a fixed order,
without pages and without the default `state=open`. A saved view is its user's
alone: another user's answers 404 (`saved_view_get_for_user`).
"""

from dataclasses import dataclass
from urllib.parse import urlencode

from django.db import IntegrityError, transaction
from django.http import Http404, QueryDict

from orders.models import SavedView
from performile.errors import ApplicationError

# The list's parameters a view keeps, in this order (pages and cursors are not).
KEYS = (
    "state",
    "q",
    "status",
    "store",
    "reason",
    "payment",
    "has_tracking",
    "needs_action",
    "created_after",
    "created_before",
    "sort",
)
MAX_VIEWS = 30


@dataclass(frozen=True)
class View:
    name: str
    query: str
    pk: int | None = None  # a saved view's id; None for a built-in one

    @property
    def url_query(self) -> str:
        return f"?{self.query}" if self.query else "?"


BUILT_IN = (
    View("Open orders", ""),
    View("All orders", "state="),
    View("Needs booking", "reason=no_tracking"),
    View("Exceptions", "reason=exception"),
    View("Unpaid", "state=&payment=outstanding"),
)


def normalize(query: QueryDict) -> str:
    """The view a query string shows, as the string a view stores."""
    pairs = []
    for key in KEYS:
        values = [value.strip() for value in query.getlist(key)]
        if key == "state":
            if values and values[-1] != "open":
                pairs.append((key, values[-1]))  # empty: every order
            continue
        pairs.extend((key, value) for value in values if value)
    return urlencode(pairs)


def user_views(user) -> list[View]:
    return [
        View(view.name, view.query, view.pk)
        for view in SavedView.objects.filter(user=user)
    ]


def saved_view_get_for_user(user, view_id) -> SavedView:
    try:
        return SavedView.objects.get(pk=view_id, user=user)
    except (SavedView.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("No such view.") from exc


def saved_view_create(*, user, name: str, query: QueryDict) -> SavedView:
    name = _clean_name(name)
    if SavedView.objects.filter(user=user).count() >= MAX_VIEWS:
        raise ApplicationError(
            f"You have {MAX_VIEWS} saved views: delete one first.",
            fields={"name": ["Too many saved views."]},
        )
    return _saved(SavedView(user=user, name=name, query=normalize(query)))


def saved_view_rename(*, view: SavedView, name: str) -> SavedView:
    view.name = _clean_name(name)
    return _saved(view)


def saved_view_delete(*, view: SavedView) -> None:
    view.delete()


def _clean_name(name: str) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise ApplicationError("Name the view.", fields={"name": ["Required."]})
    if len(name) > SavedView._meta.get_field("name").max_length:
        raise ApplicationError(
            "A view's name has at most 60 characters.",
            fields={"name": ["Too long."]},
        )
    if name.casefold() in {view.name.casefold() for view in BUILT_IN}:
        raise ApplicationError(
            f"“{name}” is a built-in view: choose another name.",
            fields={"name": ["Taken."]},
        )
    return name


def _saved(view: SavedView) -> SavedView:
    try:
        with transaction.atomic():
            view.save()
    except IntegrityError as exc:
        raise ApplicationError(
            f"You already have a view called “{view.name}”.",
            fields={"name": ["Taken."]},
        ) from exc
    return view
