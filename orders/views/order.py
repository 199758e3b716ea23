"""One order: the drawer and page, a new order, status, assignment, the row
menu's quick actions. Thin: parse, call one selector or service, render."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import (
    require_http_methods,
    require_POST,
    require_safe,
)

from orders import (
    notifications,
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
    StatusChangeForm,
)
from orders.money import order_totals
from orders.state_machine import label
from orders.views.common import member_required, merchant_timezone
from performile.errors import ApplicationError, NotAllowed
from performile.forms import add_service_error
from performile.htmx import dialog_done


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
            preview = notifications.manual_tracking_notification(
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
