"""The Inbox's conversation pane: an order's thread with the order's facts beside
it, its labels and its snooze. Thin: parse, call one service, render the pane
again (htmx) or go back to the Inbox with the conversation open (no script)."""

from django.contrib import messages as flash
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.views.decorators.http import require_POST, require_safe

from messaging import selectors, services, snooze
from messaging.forms import LabelsForm, SnoozeForm
from messaging.panel import conversation_context, read_trigger
from orders import selectors as order_selectors
from orders.views.common import member_required, merchant_timezone
from performile.errors import ApplicationError
from performile.htmx import toast


@member_required
@require_safe
@merchant_timezone
def conversation_view(request, order_pk: int):
    """The pane, opened from the Inbox list (marks the thread read)."""
    order = order_selectors.order_get_for_user(request.user, order_pk)
    if not request.htmx:
        return redirect(_inbox_with(order))
    context = conversation_context(request, order, mark_read=True)
    response = render(request, "messaging/_conversation.html", context)
    return read_trigger(response, order, context)


@member_required
@require_POST
@merchant_timezone
def thread_labels_view(request, order_pk: int):
    order = order_selectors.order_get_for_user(request.user, order_pk)
    form = LabelsForm(
        request.POST, labels=selectors.labels_for_order(request.user, order)
    )
    if form.is_valid():
        try:
            services.thread_set_labels(
                order=order, actor=request.user, label_ids=form.cleaned_data["labels"]
            )
        except ApplicationError as exc:
            return _refused(request, order, exc.message, labels_form=form)
        return _done(request, order, "Labels saved.")
    return _refused(request, order, "Choose among your labels.", labels_form=form)


@member_required
@require_POST
@merchant_timezone
def thread_snooze_view(request, order_pk: int):
    """Snooze (one of messaging.snooze's choices) or, with `wake`, wake it now."""
    order = order_selectors.order_get_for_user(request.user, order_pk)
    if "wake" in request.POST:
        services.thread_snooze(order=order, actor=request.user, until=None)
        return _done(request, order, "Back in the Inbox.")
    form = SnoozeForm(request.POST)
    if not form.is_valid():
        return _refused(request, order, _first(form), snooze_form=form)
    until = snooze.snooze_until(
        form.cleaned_data["until"],
        timezone.now(),
        order.merchant.zone,
        custom=form.cleaned_data.get("at"),
    )
    try:
        services.thread_snooze(order=order, actor=request.user, until=until)
    except ApplicationError as exc:
        form.add_error(None, exc.message)
        return _refused(request, order, exc.message, snooze_form=form)
    when = formats.date_format(timezone.localtime(until), "D j M, H:i")
    return _done(request, order, f"Snoozed until {when}, or until the customer writes.")


def _first(form) -> str:
    for errors in form.errors.values():
        return errors[0]
    return "Not snoozed."


def _done(request, order, text: str):
    if not request.htmx:
        flash.success(request, text)
        return redirect(_inbox_with(order))
    context = conversation_context(request, order)
    return toast(render(request, "messaging/_conversation.html", context), text)


def _refused(request, order, text: str, **forms):
    if not request.htmx:
        flash.error(request, text)
        return redirect(_inbox_with(order))
    context = conversation_context(request, order, **forms)
    response = render(request, "messaging/_conversation.html", context, status=422)
    return toast(response, text, level="error")


def _inbox_with(order) -> str:
    return f"{reverse('messaging:inbox')}?open={order.pk}"
