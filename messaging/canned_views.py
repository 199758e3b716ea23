"""The team's canned replies: listed, written, changed and deleted at
/messages/canned/ (the merchant's staff and admins; anyone else 403, another
merchant's reply 404). Thin: parse, call one service, render."""

from django.contrib import messages as flash
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from messaging import canned, selectors, services
from messaging.forms import CannedReplyForm
from orders.models import Merchant
from orders.selectors import user_team_merchant_ids
from orders.views.common import member_required
from performile.forms import run_service


def team_merchants(user, ids=user_team_merchant_ids) -> list[Merchant]:
    """The merchants of `ids(user)` (by default those where the user is staff or
    admin); 403 when none (the team's own tools: canned replies, labels, and with
    the admins' ids, WhatsApp templates)."""
    merchants = list(Merchant.objects.filter(pk__in=ids(user)))
    if not merchants:
        raise PermissionDenied("This page is for the merchant's team.")
    return merchants


@member_required
@require_http_methods(["GET", "POST"])
def canned_list_view(request):
    """The replies, and a form for a new one."""
    merchants = team_merchants(request.user)
    form = CannedReplyForm(request.POST or None, merchants=merchants)
    if request.method == "POST":
        reply = run_service(
            form,
            lambda data: services.canned_reply_create(
                merchant=data["merchant"],
                actor=request.user,
                title=data["title"],
                body=data["body"],
            ),
        )
        if reply is not None:
            flash.success(request, f"Canned reply “{reply.title}” saved.")
            return redirect("messaging:canned")
    return _page(request, form, status=400 if form.errors else 200)


@member_required
@require_http_methods(["GET", "POST"])
def canned_edit_view(request, pk: int):
    merchants = team_merchants(request.user)
    reply = selectors.canned_reply_get_for_user(request.user, pk)
    form = CannedReplyForm(
        request.POST or None,
        merchants=merchants,
        reply=reply,
        initial={"title": reply.title, "body": reply.body},
    )
    if request.method == "POST":
        saved = run_service(
            form,
            lambda data: services.canned_reply_update(
                reply=reply, actor=request.user, title=data["title"], body=data["body"]
            ),
        )
        if saved is not None:
            flash.success(request, f"Canned reply “{saved.title}” saved.")
            return redirect("messaging:canned")
    status = 400 if form.errors else 200
    return _page(request, form, editing=reply, status=status)


@member_required
@require_POST
def canned_delete_view(request, pk: int):
    team_merchants(request.user)
    reply = selectors.canned_reply_get_for_user(request.user, pk)
    services.canned_reply_delete(reply=reply, actor=request.user)
    flash.success(request, f"Canned reply “{reply.title}” deleted.")
    return redirect("messaging:canned")


def _page(request, form, *, editing=None, status=200):
    context = {
        "records": selectors.team_canned_replies(request.user),
        "form": form,
        "editing": editing,
        "variables": canned.VARIABLES,
    }
    return render(request, "messaging/canned.html", context, status=status)
