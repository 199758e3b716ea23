"""The merchant Orders view: the list, the order drawer, a new order, status and
assignment. Thin: parse, call one selector or service, render."""

from dataclasses import replace
from functools import wraps
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, QueryDict, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import (
    require_http_methods,
    require_POST,
    require_safe,
)

from orders import (
    exports,
    feed,
    notifications,
    saved_views,
    selectors,
    services,
    table,
)
from orders.customers import customer_merge
from orders.forms import (
    AssignForm,
    OrderCreateForm,
    OrderDeleteForm,
    OrderEditForm,
    OrderFilterForm,
    StatusChangeForm,
)
from orders.models import Merchant
from orders.money import order_totals
from orders.paging import Page, cursor, keyset_page, offset_page
from orders.state_machine import OrderStatus, label
from performile.errors import ApplicationError, NotAllowed
from performile.forms import add_service_error
from performile.htmx import dialog_done, login_required_htmx

PAGE_SIZE = 25
ROWS_MAX = 50


def member_required(view):
    """Signed in (an htmx request whose session has ended sends the whole page to
    sign-in: performile.htmx.login_required_htmx), and only merchant members
    (staff, resellers, suppliers) get past it."""
    return login_required_htmx(_members_only(view))


def _members_only(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not selectors.user_is_merchant_member(request.user):
            raise PermissionDenied("The Orders view is for merchant teams.")
        return view(request, *args, **kwargs)

    return wrapper


def merchant_timezone(view):
    """Show times (and read date filters) in the merchant's time zone, when the user
    works for merchants that share one; UTC otherwise."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        zone = _merchant_zone(request.user)
        if zone is None:
            return view(request, *args, **kwargs)
        with timezone.override(zone):
            return view(request, *args, **kwargs)

    return wrapper


def _merchant_zone(user) -> ZoneInfo | None:
    """The zone of the one merchant the user works for; None for several."""
    zones = list(
        selectors.user_stores(user)
        .order_by()
        .values_list("merchant__timezone", flat=True)
        .distinct()[:2]
    )
    return Merchant(timezone=zones[0]).zone if len(zones) == 1 else None


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


@member_required
@require_safe
@merchant_timezone
def order_detail_view(request, pk: int):
    """The drawer (htmx) or, opened directly, the same content as a page (an htmx
    refresh of the page asks for `?where=page`)."""
    order = selectors.order_detail(request.user, pk)
    page = not request.htmx or request.GET.get("where") == "page"
    return _render_detail(request, order, where="page" if page else "drawer")


@member_required
@require_POST
@merchant_timezone
def order_change_status_view(request, pk: int):
    order = selectors.order_get_for_user(request.user, pk)
    form = StatusChangeForm(request.POST, order=order)
    if form.is_valid():
        try:
            services.order_change_status(
                order=order,
                to=form.cleaned_data["status"],
                actor=request.user,
                note=form.cleaned_data["note"],
            )
        except ApplicationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, f"Order {order} is now {label(order.status)}.")
            return _after_write(request, order)
    return _render_detail(
        request,
        selectors.order_detail(request.user, pk),
        where=_where(request),
        status_form=form,
        status=422,
    )


@member_required
@require_POST
@merchant_timezone
def order_assign_view(request, pk: int):
    order = selectors.order_get_for_user(request.user, pk)
    form = AssignForm(request.POST, order=order)
    if form.is_valid():
        changes = form.changes()
        try:
            if changes:
                services.order_assign(order=order, actor=request.user, **changes)
        except NotAllowed as exc:
            messages.error(request, exc.message)  # no form to show it on
        except ApplicationError as exc:
            add_service_error(form, exc)
        else:
            if changes:
                messages.success(request, f"Order {order}: assignment saved.")
            else:
                messages.info(request, "The assignment was already like that.")
            return _after_write(request, order)
    return _render_detail(
        request,
        selectors.order_detail(request.user, pk),
        where=_where(request),
        assign_form=form,
        status=422,
    )


@member_required
@require_POST
@merchant_timezone
def order_reviewed_view(request, pk: int):
    """Clear the order's flag for staff (review_reason) once someone looked."""
    order = selectors.order_get_for_user(request.user, pk)
    try:
        services.order_update(
            order=order,
            actor=request.user,
            review_reason="",
            note=f"Reviewed: {order.review_reason}",
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"Order {order}: marked as reviewed.")
    return _after_write(request, order)


@member_required
@require_POST
@merchant_timezone
def customer_merge_view(request, pk: int):
    """Merge the order's customer into the customer with the number typed in
    (docs/customers.md); staff and admins only."""
    order = selectors.order_get_for_user(request.user, pk)
    number = request.POST.get("into", "").strip().upper()
    into = selectors.customer_by_number_for_team(request.user, number)
    if order.customer is None or into is None:
        messages.error(request, f"No customer {number or 'given'} of this merchant.")
        return _after_write(request, order)
    try:
        merged = customer_merge(customer=order.customer, into=into, actor=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, f"Customers merged: this order is now {merged.customer_number}'s."
        )
    return _after_write(request, order)


@member_required
@require_http_methods(["GET", "POST"])
@merchant_timezone
def order_create_view(request):
    form = OrderCreateForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            order = services.order_create_manual(
                actor=request.user,
                customer=form.customer_values(),
                **form.order_values(),
            )
        except ApplicationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, f"Order {order} created.")
            return redirect(order)
    status = 422 if form.is_bound else 200
    return render(request, "orders/create.html", {"form": form}, status=status)


def _where(request) -> str:
    return "drawer" if request.POST.get("where") == "drawer" else "page"


def _after_write(request, order):
    if not request.htmx:
        return redirect(order)
    where = _where(request)
    fresh = selectors.order_detail(request.user, order.pk)
    return _render_detail(request, fresh, where=where, update_row=where == "drawer")


def _render_detail(
    request,
    order,
    *,
    where: str,
    status_form=None,
    assign_form=None,
    update_row: bool = False,
    status: int = 200,
):
    may_assign = selectors.order_is_managed_by(request.user, order)
    context = {
        "order": order,
        "where": where,
        "totals": order_totals(order),
        "status_form": status_form or StatusChangeForm(order=order),
        "assign_form": (assign_form or AssignForm(order=order)) if may_assign else None,
        "update_row": update_row,
    }
    template = "orders/_drawer.html" if request.htmx else "orders/detail.html"
    return render(request, template, context, status=status)


# The row menu's quick actions, in the Orders view's action dialog.
@member_required
@require_http_methods(["GET", "POST"])
@merchant_timezone
def order_edit_view(request, pk: int):
    """The row menu's "Edit order": the order's details in the action dialog."""
    order = selectors.order_get_for_user(request.user, pk)
    if not selectors.order_is_workable_by(request.user, order):
        raise PermissionDenied("You cannot change this order.")
    data = request.POST if request.method == "POST" else None
    form = OrderEditForm(data, order=order)
    if form.is_valid():
        changes = form.changes()
        try:
            if changes:
                services.order_update(order=order, actor=request.user, **changes)
        except NotAllowed:
            raise  # the 403 page, not a form error
        except ApplicationError as exc:
            add_service_error(form, exc)
        else:
            return _after_edit(request, order, changed=bool(changes))
    context = {"order": order, "form": form}
    status = 422 if form.is_bound else 200
    return render(request, "orders/_edit.html", context, status=status)


def _after_edit(request, order, *, changed: bool):
    text = f"Order {order} updated." if changed else "Nothing to change"
    level = "success" if changed else "info"
    if not request.htmx:
        (messages.success if changed else messages.info)(request, text)
        return redirect(order)
    row = table.with_columns(selectors.order_list(request.user)).get(pk=order.pk)
    response = render(request, "orders/_edit.html", {"order": row, "done": True})
    return dialog_done(response, text, level=level)


@member_required
@require_http_methods(["GET", "POST"])
@merchant_timezone
def order_delete_view(request, pk: int):
    """The row menu's "Delete order": confirm, then delete softly (staff only)."""
    order = selectors.order_get_for_user(request.user, pk)
    if request.method == "GET" and not selectors.order_is_managed_by(
        request.user, order
    ):
        raise PermissionDenied("Only the merchant's staff can delete orders.")
    form = OrderDeleteForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        services.order_delete(  # it judges who may delete (NotAllowed: a 403)
            order=order, actor=request.user, reason=form.cleaned_data["reason"]
        )
        text = f"Order {order} deleted."
        if not request.htmx:
            messages.success(request, text)
            return redirect("orders:list")
        response = render(
            request, "orders/_delete.html", {"order": order, "deleted": True}
        )
        return dialog_done(response, text)
    context = {"order": order, "form": form}
    status = 422 if form.is_bound else 200
    return render(request, "orders/_delete.html", context, status=status)


@member_required
@require_http_methods(["GET", "POST"])
@merchant_timezone
def order_notify_view(request, pk: int):
    """The row menu's "Send notification": who gets the order's tracking on which
    channel, with a preview (GET); then queue it in the outbox (POST)."""
    order = selectors.order_get_for_user(request.user, pk)
    try:
        if request.method == "GET":
            preview = notifications.order_tracking_notification(
                order=order, actor=request.user
            )
            context = {"order": order, "notification": preview}
            return render(request, "orders/_notify.html", context)
        queued = notifications.order_send_tracking_notification(
            order=order, actor=request.user
        )
    except NotAllowed:
        raise  # the 403 page, not a message in the dialog
    except ApplicationError as exc:
        if request.method == "POST" and not request.htmx:
            messages.error(request, exc.message)
            return redirect(order)
        status = 422 if request.method == "POST" else 200
        context = {"order": order, "error": exc.message}
        return render(request, "orders/_notify.html", context, status=status)
    text = f"Tracking notification sent {notifications.sent_by(queued)}."
    if not request.htmx:
        messages.success(request, text)
        return redirect(order)
    return dialog_done(HttpResponse(status=204), text)


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
