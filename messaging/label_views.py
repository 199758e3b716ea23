"""The team's labels: listed, written, renamed and deleted at /messages/labels/
(the merchant's staff and admins; anyone else 403, another merchant's label 404).
Thin: parse, call one service, render."""

from django.contrib import messages as flash
from django.db.models import Count
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from messaging import selectors, services
from messaging.canned_views import team_merchants
from messaging.forms import LabelForm
from orders.views.common import member_required
from performile.forms import run_service


@member_required
@require_http_methods(["GET", "POST"])
def label_list_view(request):
    """The labels, and a form for a new one."""
    form = LabelForm(request.POST or None, merchants=team_merchants(request.user))
    if request.method == "POST":
        label = run_service(
            form,
            lambda data: services.label_create(
                merchant=data["merchant"],
                actor=request.user,
                name=data["name"],
                colour=data["colour"],
            ),
        )
        if label is not None:
            flash.success(request, f"Label “{label.name}” saved.")
            return redirect("messaging:labels")
    return _page(request, form, status=400 if form.errors else 200)


@member_required
@require_http_methods(["GET", "POST"])
def label_edit_view(request, pk: int):
    merchants = team_merchants(request.user)
    label = selectors.label_get_for_user(request.user, pk)
    form = LabelForm(
        request.POST or None,
        merchants=merchants,
        label=label,
        initial={"name": label.name, "colour": label.colour},
    )
    if request.method == "POST":
        saved = run_service(
            form,
            lambda data: services.label_update(
                label=label,
                actor=request.user,
                name=data["name"],
                colour=data["colour"],
            ),
        )
        if saved is not None:
            flash.success(request, f"Label “{saved.name}” saved.")
            return redirect("messaging:labels")
    status = 400 if form.errors else 200
    return _page(request, form, editing=label, status=status)


@member_required
@require_POST
def label_delete_view(request, pk: int):
    team_merchants(request.user)
    label = selectors.label_get_for_user(request.user, pk)
    services.label_delete(label=label, actor=request.user)
    flash.success(request, f"Label “{label.name}” deleted.")
    return redirect("messaging:labels")


def _page(request, form, *, editing=None, status=200):
    labels = selectors.team_labels(request.user).annotate(
        conversations=Count("threads")
    )
    context = {"records": labels, "form": form, "editing": editing}
    return render(request, "messaging/labels.html", context, status=status)
