"""The Orders list: its rows, saved views, bulk status changes and the CSV export.
Thin: parse, call one selector or service, render."""

from dataclasses import replace

from django.contrib import messages
from django.http import HttpResponse, QueryDict, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import (
    require_POST,
    require_safe,
)

from orders import (
    exports,
    feed,
    saved_views,
    selectors,
    services,
    table,
)
from orders.filters import OrderFilterForm
from orders.paging import Page, cursor, keyset_page, offset_page
from orders.state_machine import OrderStatus, label
from orders.views.common import member_required, merchant_timezone
from performile.errors import ApplicationError

PAGE_SIZE = 25
ROWS_MAX = 50


@member_required
@require_safe
@merchant_timezone
def order_list_view(request):
    shown = _list_query(request.GET)
    context = {
        "live_cursor": feed.current_cursor(),  # before the rows: nothing slips by
        "filters": OrderFilterForm(shown, user=request.user),
        "may_create": selectors.user_may_create_orders(request.user),
        "page": None,
        "count": None,
        "filter_error": None,
        "sort": shown.get("sort", table.DEFAULT_SORT),
        "statuses": OrderStatus.choices,
        **_views_context(request.user, shown),
    }
    try:
        orders = selectors.order_list(request.user, filters=_without_blanks(shown))
    except ApplicationError as exc:
        context["filter_error"] = context["filters"].describe(exc.fields) or [
            exc.message
        ]
    else:
        context["count"] = table.capped_count(orders)
        context["page"] = _page(request, orders, sorted_by=context["sort"])
    partial = request.htmx.target == "orders-table"
    template = "orders/_table.html" if partial else "orders/list.html"
    status = 400 if context["filter_error"] else 200
    return render(request, template, context, status=status)


def _list_query(query: QueryDict) -> QueryDict:
    """The list's query: open orders unless asked otherwise (the view bar says
    so), and a sort the table does not know is dropped (the default applies)."""
    shown = query.copy()
    shown.setdefault("state", "open")
    if shown.get("sort", "") not in dict(table.SORT_CHOICES):
        shown.pop("sort", None)
    return shown


def _page(request, orders, *, sorted_by: str) -> Page:
    rows = table.with_columns(orders)
    if sorted_by:
        # The page's ids first, then their rows: sorting bare ids is cheap, while
        # PostgreSQL would compute the columns' subqueries for every row it sorts.
        number = cursor(request.GET.get("page")) or 1
        ids = offset_page(
            orders.values_list("pk", flat=True), number=number, size=PAGE_SIZE
        )
        found = rows.in_bulk(ids.rows)
        return replace(ids, rows=[found[pk] for pk in ids.rows if pk in found])
    page = keyset_page(
        rows,
        before=cursor(request.GET.get("before")),
        after=cursor(request.GET.get("after")),
        size=PAGE_SIZE,
    )
    if page.newer is None or not page.rows:
        return page
    newer = table.capped_count(orders.filter(pk__gt=page.rows[0].pk))
    return replace(page, start=None if newer.capped else newer.value + 1)


def _views_context(user, shown: QueryDict) -> dict:
    current = saved_views.normalize(shown)
    mine = saved_views.user_views(user)
    return {
        "built_in_views": saved_views.BUILT_IN,
        "my_views": mine,
        "current_query": current,
        "current_view": next(
            (v for v in (*saved_views.BUILT_IN, *mine) if v.query == current), None
        ),
    }


@member_required
@require_safe
@merchant_timezone
def order_rows_view(request):
    """Rows of the Orders table, for orders a live update announced (a new order, a
    change seen in the feed). Orders the user may not see are left out."""
    ids = [part for part in request.GET.get("ids", "").split(",") if part.isdigit()]
    orders = selectors.order_list(request.user).filter(pk__in=ids[:ROWS_MAX])
    return render(request, "orders/_rows.html", {"orders": table.with_columns(orders)})


def _without_blanks(query: QueryDict) -> QueryDict:
    """The filter form sends every field; an empty one means "any"."""
    kept = QueryDict(mutable=True)
    for key, values in query.lists():
        if any(values):
            kept.setlist(key, [value for value in values if value])
    return kept


# Saved views, bulk changes and the export of the list.
@member_required
@require_POST
def saved_view_create_view(request):
    query = QueryDict(request.POST.get("query", ""))
    try:
        view = saved_views.saved_view_create(
            user=request.user, name=request.POST.get("name", ""), query=query
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return _back_to_list(query=saved_views.normalize(query))
    messages.success(request, f"View “{view.name}” saved.")
    return _back_to_list(query=view.query)


@member_required
@require_POST
def saved_view_rename_view(request, pk: int):
    view = saved_views.saved_view_get_for_user(request.user, pk)
    try:
        saved_views.saved_view_rename(view=view, name=request.POST.get("name", ""))
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"View renamed to “{view.name}”.")
    return _back_to_list(query=view.query)


@member_required
@require_POST
def saved_view_delete_view(request, pk: int):
    view = saved_views.saved_view_get_for_user(request.user, pk)
    saved_views.saved_view_delete(view=view)
    messages.success(request, f"View “{view.name}” deleted.")
    return _back_to_list(query="")


def _back_to_list(*, query: str):
    url = reverse("orders:list")
    return redirect(f"{url}?{query}" if query else url)


@member_required
@require_POST
def order_bulk_status_view(request):
    """Move the selected orders to one status, each through order_change_status;
    the orders it refuses are named with the reason."""
    to = request.POST.get("status", "")
    back = QueryDict(request.POST.get("query", ""))
    if to not in OrderStatus.values:
        messages.error(request, "Choose the status to move the orders to.")
        return _back_to_list(query=back.urlencode())
    ids = [pk for pk in request.POST.getlist("ids") if pk.isdigit()]
    found = selectors.visible_orders(request.user).filter(pk__in=ids).order_by("-id")
    moved, refused = services.order_change_status_many(
        orders=list(found[: services.BULK_MAX]), to=to, actor=request.user
    )
    missing = len(set(ids)) - len(moved) - len(refused)
    if moved:
        messages.success(
            request,
            f"{_orders(len(moved))} moved to {label(to)}: "
            + ", ".join(order.order_number for order in moved),
        )
    for order, reason in refused.items():
        messages.error(request, f"Order {order} not changed: {reason}")
    if missing > 0:
        messages.error(request, f"{_orders(missing)} not found.")
    return _back_to_list(query=back.urlencode())


def _orders(count: int) -> str:
    return f"{count} order" if count == 1 else f"{count} orders"


@member_required
@require_safe
@merchant_timezone
def order_export_view(request):
    """The filtered list as CSV, every page of it, streamed."""
    shown = _list_query(request.GET)
    try:
        orders = selectors.order_list(request.user, filters=_without_blanks(shown))
    except ApplicationError as exc:
        form = OrderFilterForm(shown, user=request.user)
        text = "; ".join(form.describe(exc.fields) or [exc.message])
        return HttpResponse(
            f"These filters could not be applied: {text}",
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    rows = table.with_columns(orders)
    response = StreamingHttpResponse(
        exports.orders_csv(rows, timezone.get_current_timezone()),
        content_type="text/csv; charset=utf-8",
    )
    filename = f"orders-{timezone.localdate().isoformat()}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
