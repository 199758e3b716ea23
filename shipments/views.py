"""The shipment dialogs of the Orders view: "Book shipment" (choose a courier and
service, confirm the details, book, get the tracking number and label) and "File
claim"; the drawer's shipments panel and its "Refresh tracking"; bulk booking;
courier performance."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from orders import selectors as order_selectors
from orders.views.common import member_required, merchant_timezone
from performile.errors import ApplicationError, NotAllowed
from performile.forms import add_service_error
from performile.htmx import dialog_done
from shipments import bulk, claims, performance, polling, selectors, services
from shipments.api.performance import PeriodSerializer
from shipments.forms import BookingDetailsForm, ClaimFileForm


@member_required
@require_http_methods(["GET", "POST"])
@merchant_timezone
def shipment_book_view(request, order_pk: int):
    order = order_selectors.order_detail(request.user, order_pk)
    if request.method == "GET":
        return _choose_service(request, order)
    if request.POST.get("step") == "details":
        return _confirm_details(request, order)
    return _book(request, order)


def _choose_service(request, order):
    couriers = selectors.courier_services(selectors.courier_accounts_for_order(order))
    preferred = selectors.preferred_service(couriers, order.shipping_method)
    return render(
        request,
        "shipments/book.html",
        {"order": order, "step": 1, "couriers": couriers, "preferred": preferred},
    )


def _confirm_details(request, order):
    chosen = request.POST.get("service", "")
    account_id, _, rest = chosen.partition(":")
    service_code, _, service_type = rest.partition(":")
    form = BookingDetailsForm(
        initial=BookingDetailsForm.initial_for(
            order,
            account=account_id,
            service_code=service_code,
            service_type=service_type,
        )
    )
    return render(
        request, "shipments/book.html", {"order": order, "step": 2, "form": form}
    )


def _book(request, order):
    form = BookingDetailsForm(request.POST)
    context = {"order": order, "step": 2, "form": form}
    if not form.is_valid():
        return render(request, "shipments/book.html", context, status=422)
    account = (
        selectors.courier_accounts_for_order(order)
        .filter(pk=form.cleaned_data["account"])
        .first()
    )
    if account is None:
        form.add_error(None, "Choose a courier again: that account is not available.")
        return render(request, "shipments/book.html", context, status=422)
    try:
        shipment, booked = services.shipment_book(
            order=order,
            account=account,
            service_code=form.cleaned_data["service_code"],
            service_type=form.cleaned_data["service_type"],
            sender=form.address("sender"),
            recipient=form.address("recipient"),
            parcels=form.parcel_list(),
            actor=request.user,
        )
    except ApplicationError as exc:
        add_service_error(form, exc)
        context["failed"] = True
        return render(request, "shipments/book.html", context, status=422)
    order = order_selectors.order_detail(request.user, order.pk)
    return render(
        request,
        "shipments/book.html",
        {"order": order, "step": 4, "shipment": shipment, "booked": booked},
    )


@member_required
@require_http_methods(["GET"])
def courier_performance_view(request):
    period = PeriodSerializer(data=request.GET)
    valid = period.is_valid()
    dates = period.validated_data if valid else performance.period()
    rows = performance.courier_performance(request.user, **dates)
    return render(
        request,
        "shipments/performance.html",
        {
            "rows": rows,
            "charts": performance.performance_charts(rows),
            "period": dates,
            "errors": period.errors if not valid else None,
        },
    )


@member_required
@require_http_methods(["GET", "POST"])
def bulk_booking_view(request):
    """Choose a courier service for the selected orders, then follow the progress."""
    if request.method == "GET":
        ids = [
            int(pk) for pk in request.GET.get("orders", "").split(",") if pk.isdigit()
        ]
        orders = order_selectors.visible_orders(request.user).filter(pk__in=ids)
        return render(
            request,
            "shipments/bulk.html",
            {
                "orders": orders,
                "couriers": selectors.courier_services(
                    selectors.courier_accounts_for_user(request.user)
                ),
            },
        )
    account_id, _, rest = request.POST.get("service", "").partition(":")
    service_code, _, service_type = rest.partition(":")
    account = (
        selectors.courier_accounts_for_user(request.user)
        .filter(pk=account_id or 0)
        .first()
    )
    ids = [int(pk) for pk in request.POST.getlist("orders") if pk.isdigit()]
    try:
        if account is None:
            raise ApplicationError("Choose a courier service.")
        job = bulk.bulk_booking_start(
            user=request.user,
            account=account,
            service_code=service_code,
            service_type=service_type,
            order_ids=ids,
        )
    except ApplicationError as exc:
        orders = order_selectors.visible_orders(request.user).filter(pk__in=ids)
        context = {
            "orders": orders,
            "error": exc.message,
            "couriers": selectors.courier_services(
                selectors.courier_accounts_for_user(request.user)
            ),
        }
        return render(request, "shipments/bulk.html", context, status=422)
    return render(request, "shipments/bulk_progress.html", {"job": job})


@member_required
@require_http_methods(["GET"])
def bulk_booking_progress_view(request, pk: int):
    job = selectors.bulk_booking_get_for_user(request.user, pk)
    return render(request, "shipments/bulk_progress.html", {"job": job})


@member_required
@require_http_methods(["GET"])
@merchant_timezone
def order_shipments_panel_view(request, order_pk: int):
    """The order drawer's shipments panel: label, tracking events, claims. Empty (204)
    for an order without shipments."""
    order = order_selectors.order_get_for_user(request.user, order_pk)
    shipments = list(
        order.shipments.select_related("account").prefetch_related("events", "claims")
    )
    if not shipments:
        return HttpResponse(status=204)
    return render(request, "shipments/_order_panel.html", {"shipments": shipments})


@member_required
@require_http_methods(["POST"])
@merchant_timezone
def shipment_refresh_view(request, pk: int):
    """The panel's "Refresh tracking": ask the courier now, show the shipment again
    with the outcome (a courier that cannot answer changes nothing)."""
    shipment = selectors.shipment_get_for_user(request.user, pk)
    try:
        changed = polling.shipment_refresh(shipment.pk)
    except ApplicationError as exc:
        refresh = {"ok": False, "text": exc.message}
    else:
        text = "Status updated." if changed else "Up to date: no news since."
        refresh = {"ok": True, "text": text}
    if not request.htmx:
        level = messages.SUCCESS if refresh["ok"] else messages.ERROR
        messages.add_message(request, level, refresh["text"])
        return redirect(shipment.order)
    fresh = (
        selectors.visible_shipments(request.user)
        .select_related("account")
        .prefetch_related("events", "claims")
        .get(pk=shipment.pk)
    )
    return render(
        request,
        "shipments/_shipment_panel.html",
        {"shipment": fresh, "refresh": refresh},
    )


@member_required
@require_http_methods(["GET", "POST"])
def claim_file_view(request, order_pk: int):
    """The row menu's "File claim": a claim against the courier for the order's
    latest shipment, with photos."""
    shipment = selectors.shipment_latest_for_order(request.user, order_pk)
    order = shipment.order
    if not order_selectors.order_is_workable_by(request.user, order):
        raise PermissionDenied("You cannot file claims for this order.")
    data, files = (
        (request.POST, request.FILES) if request.method == "POST" else (None, None)
    )
    form = ClaimFileForm(data, files, order=order)
    if form.is_valid():
        try:
            claims.claim_file(
                shipment=shipment, actor=request.user, **form.claim_values()
            )
        except NotAllowed:
            raise  # the 403 page, not a form error
        except ApplicationError as exc:
            add_service_error(form, exc)
        else:
            text = f"Claim filed for {order}."
            if not request.htmx:
                messages.success(request, text)
                return redirect(order)
            return dialog_done(HttpResponse(), text)
    context = {"order": order, "shipment": shipment, "form": form}
    status = 422 if form.is_bound else 200
    return render(request, "shipments/_claim.html", context, status=status)
