"""The Inbox's bulk actions (POST /messages/bulk/): close the selected
conversations or assign their orders, for the merchant's team; then back to the
Inbox as it was filtered, saying what was done and what was refused."""

from django.contrib import messages as flash
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from messaging.services import bulk
from orders.views.common import member_required


@member_required
@require_POST
def inbox_bulk_view(request):
    ids = request.POST.getlist("orders")
    action = request.POST.get("action", "")
    if not ids:
        flash.error(request, "Select the conversations first.")
    elif action == "close":
        _report(
            request,
            bulk.conversations_close(order_ids=ids, actor=request.user),
            "closed",
        )
    elif action == "assign":
        raw = request.POST.get("assignee", "")
        staff = None if raw == "" else (int(raw) if raw.isdigit() else 0)
        outcome = bulk.conversations_assign(
            order_ids=ids, actor=request.user, staff=staff
        )
        _report(request, outcome, "assigned" if staff else "unassigned")
    else:
        flash.error(request, "Choose Close or Assign.")
    query = request.POST.get("query", "")
    url = reverse("messaging:inbox")
    return redirect(f"{url}?{query}" if query else url)


def _report(request, outcome: bulk.Outcome, verb: str) -> None:
    if outcome.done:
        numbers = ", ".join(order.order_number for order in outcome.done)
        count = len(outcome.done)
        noun = "conversation" if count == 1 else "conversations"
        flash.success(request, f"{count} {noun} {verb}: {numbers}")
    for order, reason in outcome.refused.items():
        flash.error(request, f"Order {order.order_number} not {verb}: {reason}")
    if outcome.missing:
        flash.error(request, f"{outcome.missing} not found.")
