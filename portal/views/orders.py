"""The customer's orders: the list, one order's detail, and the fragments the
live script swaps in when an order changes (static/js/portal-live.js)."""

from decimal import Decimal

from django.core.paginator import Paginator
from django.db.models import Prefetch, prefetch_related_objects
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import render
from django.views.decorators.http import require_safe

from invoices.downloads import order_confirmation_response
from invoices.models import Payment
from messaging.services.outgoing import portal_thread_path
from orders.models import OrderEvent, OrderLine
from portal import order_timeline
from portal.dashboard import with_rows
from portal.order_filters import OrderFilterForm, order_filter
from portal.selectors import portal_invoices, portal_order_get, portal_orders
from portal.views.common import customer_required, live_context
from portal.views.messages import thread_messages_context
from shipments.models import Shipment, TrackingEvent

PER_PAGE = 20
FRAGMENTS = {
    "row": "portal/orders/_row.html",
    "card": "portal/dashboard/_active_order.html",
    "detail": "portal/orders/_live_status.html",
    "messages": "portal/_thread_messages.html",
}


@customer_required
@require_safe
def orders_view(request):
    context = live_context()
    form = OrderFilterForm(request.GET or None)
    orders = portal_orders(request.user)
    status = 200
    if form.is_bound and not form.is_valid():
        status = 400
        orders = orders.none()
    elif form.is_bound:
        orders = order_filter(orders, form.cleaned_data)
    page = Paginator(with_rows(orders), PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context.update(
        form=form,
        page=page,
        querystring=query.urlencode(),
        filtered=any(value for key, value in request.GET.items() if key != "page"),
    )
    return render(request, "portal/orders/list.html", context, status=status)


def _order_for_detail(request, order_id):
    order = portal_order_get(request.user, order_id)
    prefetch_related_objects(
        [order],
        Prefetch("lines", queryset=OrderLine.objects.order_by("id")),
        Prefetch(
            "events",
            queryset=OrderEvent.objects.filter(
                kind__in=[OrderEvent.Kind.CREATED, OrderEvent.Kind.STATUS_CHANGED]
            )
            .only("order_id", "kind", "from_status", "to_status", "created_at")
            .order_by("created_at", "id"),
        ),
        Prefetch(
            "shipments",
            queryset=Shipment.objects.select_related("account")
            .order_by("-created_at", "-id")
            .prefetch_related(
                Prefetch(
                    "events",
                    queryset=TrackingEvent.objects.order_by("-occurred_at", "-id"),
                )
            ),
        ),
    )
    return order


def _detail_context(request, order) -> dict:
    return {
        "order": order,
        "timeline": order_timeline.order_timeline(order),
        "shipments": list(order.shipments.all()),
    }


def _payment_method(code: str) -> str:
    """The payment method in words ("bank_transfer" -> "Bank transfer")."""
    if not code:
        return ""
    labels = dict(Payment.Method.choices)
    return labels.get(code.lower(), code.replace("_", " ").capitalize())


@customer_required
@require_safe
def order_detail_view(request, pk: int):
    context = live_context()
    order = _order_for_detail(request, pk)
    context.update(_detail_context(request, order))
    lines = list(order.lines.all())
    context.update(
        lines=lines,
        items_total=sum((line.total for line in lines), Decimal("0")),
        payment_method=_payment_method(order.payment_method),
        invoices=list(portal_invoices(request.user).filter(order_id=order.pk)),
        messages_url=portal_thread_path(order),
        print_mode=request.GET.get("print") == "1",
    )
    return render(request, "portal/orders/detail.html", context)


@customer_required
@require_safe
def order_live_view(request, pk: int):
    """One order as a page shows it (`part`: row of the list, card of the
    dashboard, status block of the detail, the conversation's messages), for the
    live script to swap in."""
    template = FRAGMENTS.get(request.GET.get("part", ""))
    if template is None:
        return HttpResponseBadRequest(
            "part must be one of: row, card, detail, messages."
        )
    if request.GET["part"] == "messages":
        context = thread_messages_context(request, portal_order_get(request.user, pk))
    elif request.GET["part"] == "detail":
        order = _order_for_detail(request, pk)
        context = _detail_context(request, order)
    else:
        order = with_rows(portal_orders(request.user)).filter(pk=pk).first()
        if order is None:
            raise Http404("No such order.")
        context = {"order": order}
    return render(request, template, context)


@customer_required
@require_safe
def order_confirmation_view(request, pk: int):
    """The order confirmation PDF, within the portal's visibility windows."""
    order = portal_order_get(request.user, pk)
    return order_confirmation_response(request, order)
