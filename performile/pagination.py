"""The API's pages: newest first, cut at an id (DRF's cursor pagination)."""

from rest_framework.exceptions import NotFound
from rest_framework.pagination import CursorPagination, PageNumberPagination

from performile.errors import ApplicationError

# The largest id PostgreSQL's bigint holds.
MAX_ID = 2**63 - 1


class NewestFirst(CursorPagination):
    ordering = "-id"
    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = 100

    def decode_cursor(self, request):
        """A cursor we did not hand out (not ours, or its position not an id) is
        400 naming `cursor`, not a 404, nor a database error."""
        try:
            cursor = super().decode_cursor(request)
        except NotFound:
            cursor = False
        if cursor is False or not _is_id(getattr(cursor, "position", None)):
            raise ApplicationError(
                "Invalid cursor: use the next or previous link of a page.",
                fields={"cursor": ["Invalid cursor."]},
            )
        return cursor


def _is_id(position: str | None) -> bool:
    return position is None or (
        position.isascii() and position.isdigit() and int(position) <= MAX_ID
    )


class SortedPages(PageNumberPagination):
    """Numbered pages of a list in the order it was asked for (`?sort=`): a cursor
    cuts at one column's value, which a sort by total or customer repeats."""

    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = 100
