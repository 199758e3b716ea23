"""Keyset pages over a queryset ordered newest first (-id).

Offsets get slower and skip or repeat rows as orders arrive; a page cut at an id
does neither. `?before=<id>` is the next (older) page, `?after=<id>` the previous
(newer) one. A list sorted otherwise (the Orders table's `sort`) pages by number
(`?page=<n>`, `offset_page`).
"""

from dataclasses import dataclass

from django.db.models import QuerySet


@dataclass(frozen=True)
class Page:
    rows: list
    newer: int | None  # cursor for ?after=, when newer rows exist
    older: int | None  # cursor for ?before=, when older rows exist
    start: int | None = 1  # the first row's position (1-based); None: unknown
    param: str = ""  # "page" for numbered pages; "" for before/after cursors

    @property
    def end(self) -> int | None:
        return None if self.start is None else self.start + len(self.rows) - 1


def keyset_page(
    queryset: QuerySet, *, before: int | None, after: int | None, size: int
) -> Page:
    if after is not None:
        rows = list(queryset.filter(pk__gt=after).order_by("pk")[: size + 1])
        has_newer, rows = len(rows) > size, rows[:size][::-1]
        has_older = queryset.filter(pk__lte=after).exists()
    else:
        if before is not None:
            queryset_window = queryset.filter(pk__lt=before)
            has_newer = queryset.filter(pk__gte=before).exists()
        else:
            queryset_window, has_newer = queryset, False
        rows = list(queryset_window.order_by("-pk")[: size + 1])
        has_older, rows = len(rows) > size, rows[:size]
    return Page(
        rows=rows,
        newer=rows[0].pk if rows and has_newer else None,
        older=rows[-1].pk if rows and has_older else None,
    )


def cursor(raw: str | None) -> int | None:
    """A cursor from the query string; anything but a positive integer is none."""
    try:
        value = int(raw or "")
    except ValueError:
        return None
    return value if value > 0 else None


def offset_page(queryset: QuerySet, *, number: int, size: int) -> Page:
    """Page `number` (1-based) of a queryset in its own order."""
    offset = (number - 1) * size
    rows = list(queryset[offset : offset + size + 1])
    return Page(
        rows=rows[:size],
        newer=number - 1 if number > 1 else None,
        older=number + 1 if len(rows) > size else None,
        start=offset + 1,
        param="page",
    )
