"""The customer's Messages: their conversations (one per order), an order's thread
with a reply box, their questions about no order, and "contact support". Thin:
parse, call one selector or service, render."""

from django.contrib import messages as flash
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import (
    require_http_methods,
    require_POST,
    require_safe,
)

from messaging import services
from messaging.services.outgoing import portal_thread_path
from performile.errors import ApplicationError
from performile.forms import add_service_error
from performile.htmx import redirect_page
from portal import conversations
from portal.message_forms import ContactForm, ReplyForm
from portal.selectors import portal_order_get
from portal.views.common import customer_required, live_context

CONVERSATIONS_PAGE = 20
GENERAL_SHOWN = 20


@customer_required
@require_safe
def messages_view(request):
    """The list of conversations; `?order=<id>` opens that order's thread."""
    if request.GET.get("order"):
        order = portal_order_get(request.user, request.GET["order"])
        return _thread_page(request, order, mark_read=True)
    page = Paginator(
        conversations.portal_conversations(request.user), CONVERSATIONS_PAGE
    ).get_page(request.GET.get("page"))
    general = conversations.portal_general_messages(request.customer)[:GENERAL_SHOWN]
    context = {
        "page": page,
        "general_messages": list(general),
        "contact_form": _contact_form(request),
    }
    return render(request, "portal/messages.html", context)


@customer_required
@require_POST
def message_send_view(request, order_id: int):
    """The customer's reply in the order's thread (in-app, to support)."""
    order = portal_order_get(request.user, order_id)
    form = ReplyForm(request.POST)
    if form.is_valid():
        try:
            services.message_post(
                order=order, actor=request.user, body=form.cleaned_data["body"]
            )
        except ApplicationError as exc:
            add_service_error(form, exc)
        else:
            if request.htmx:
                return _thread_panel(request, order, sent=True)
            flash.success(request, _("Message sent. We will answer here."))
            return redirect(portal_thread_path(order))
    if request.htmx:
        return _thread_panel(request, order, form=form, status=400)
    return _thread_page(request, order, form=form, status=400)


@customer_required
@require_safe
def message_attachment_view(request, pk: int):
    """A file of the customer's conversation, to download (never shown inline)."""
    attachment = conversations.portal_attachment_get(request.user, request.customer, pk)
    try:
        opened = attachment.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404("This file is no longer available.") from exc
    response = FileResponse(
        opened,
        as_attachment=True,
        filename=attachment.filename,
        content_type=attachment.content_type or "application/octet-stream",
    )
    response["Cache-Control"] = "private, no-store"
    return response


@customer_required
@require_http_methods(["GET", "HEAD", "POST"])
def message_new_view(request):
    """Contact support: about one of the customer's orders (into its thread) or
    about something else (to the merchant's team, unmatched until they link it)."""
    if request.method != "POST":
        template = "portal/_contact_form.html" if request.htmx else None
        return _contact_page(request, _contact_form(request), template=template)
    form = _contact_form(request, data=request.POST)
    if form.is_valid():
        try:
            url = _contact_send(request, form)
        except ApplicationError as exc:
            add_service_error(form, exc)
        else:
            return redirect_page(request, url)
    template = "portal/_contact_form.html" if request.htmx else None
    return _contact_page(request, form, template=template, status=400)


def _contact_send(request, form: ContactForm) -> str:
    body = form.cleaned_data["body"]
    order_id = form.order_id()
    if order_id is None:
        services.message_send_general(
            customer=request.customer, actor=request.user, body=body
        )
        flash.success(
            request, _("Message sent to support. You will find the answer here.")
        )
        return f"{reverse('portal:messages')}#other-questions"
    order = portal_order_get(request.user, order_id)
    services.message_post(order=order, actor=request.user, body=body)
    flash.success(request, f"Message sent about order {order.order_number}.")
    return portal_thread_path(order)


def _contact_form(request, data=None) -> ContactForm:
    orders = conversations.contact_orders(request.user)
    wanted = request.GET.get("order", "")
    if not any(str(order.pk) == wanted for order in orders):
        default = conversations.default_contact_order(request.user)
        wanted = str(default.pk) if default else ""
    return ContactForm(data, orders=orders, initial={"about": wanted or "general"})


def _contact_page(request, form, *, template=None, status=200):
    template = template or "portal/message_new.html"
    return render(request, template, {"contact_form": form}, status=status)


def thread_messages_context(request, order, *, mark_read=False) -> dict:
    """The conversation's messages as the customer sees them, and the first one
    they have not read (marked read now if `mark_read`: the page, not a live
    refresh of it)."""
    thread_messages = conversations.portal_thread_messages(
        request.user, request.customer, order
    )
    read_up_to = conversations.portal_read_up_to(request.user, order)
    unread = [
        message.pk
        for message in thread_messages
        if message.direction == "outbound" and message.pk > read_up_to
    ]
    if mark_read and unread:
        services.messages_mark_read(
            order=order, message=thread_messages[-1], user=request.user
        )
    return {
        "order": order,
        "thread_messages": thread_messages,
        "first_unread": unread[0] if unread else None,
    }


def _thread_context(request, order, *, form=None, mark_read=False, sent=False):
    return {
        **live_context(),  # the cursor first: nothing written after it slips by
        **thread_messages_context(request, order, mark_read=mark_read),
        "form": form or ReplyForm(),
        "sent": sent,
        "store_name": order.store.name,
    }


def _thread_page(request, order, *, form=None, mark_read=False, status=200):
    context = _thread_context(request, order, form=form, mark_read=mark_read)
    return render(request, "portal/message_thread.html", context, status=status)


def _thread_panel(request, order, *, form=None, sent=False, status=200):
    context = _thread_context(request, order, form=form, sent=sent)
    return render(request, "portal/_thread.html", context, status=status)
