"""The HTML side of order threads: the order's Messages panel (drawer and page),
the Inbox, the Unmatched inbox, attachments and the messaging metrics. Thin:
parse, call one selector or service, render."""

from django.contrib import messages as flash
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from messaging import inbox, metrics, selectors, services, sla
from messaging.forms import InboxFilterForm, LinkForm, MessageForm, MetricsFilterForm
from messaging.models import Attachment, Message
from messaging.panel import conversation_context, panel_context, read_trigger
from orders import feed
from orders import selectors as order_selectors
from orders.models import Membership
from orders.views.common import member_required, merchant_timezone
from performile.errors import ApplicationError, NotAllowed
from performile.forms import add_service_error
from performile.htmx import toast

INBOX_PAGE = 25
UNMATCHED_PAGE = 20
SEARCH_HITS = 10


# --- The order's Messages panel -------------------------------------------------


@member_required
@require_safe
@merchant_timezone
def thread_panel_view(request, order_pk: int):
    """The panel, loaded with the order (marks the thread read) or refreshed by a
    live update (`?refresh=1`: leaves what is unread unread)."""
    order = order_selectors.order_get_for_user(request.user, order_pk)
    refresh = request.GET.get("refresh") == "1"
    return _render_panel(
        request, order, mark_read=not refresh, show_all=request.GET.get("all") == "1"
    )


@member_required
@require_POST
@merchant_timezone
def thread_post_view(request, order_pk: int):
    order = order_selectors.order_get_for_user(request.user, order_pk)
    thread = selectors.thread_for_order(order)
    form = MessageForm(
        request.POST,
        request.FILES,
        order=order,
        thread=thread,
        allow_internal=selectors.user_sees_internal_notes(request.user, order),
    )
    if form.is_valid():
        try:
            message = services.message_post(
                order=order,
                actor=request.user,
                body=form.cleaned_data["body"],
                visibility=form.visibility(),
                channel=form.channel_value(),
                files=form.uploads(),
            )
        except NotAllowed:
            raise  # the 403 page: the composer is not offered to them
        except ApplicationError as exc:
            add_service_error(form, exc, summary=True)
        else:
            return _after_write(request, order, _posted_text(message))
    if not request.htmx:  # no script: back to the order, the reason in a toast
        flash.error(request, _first_error(form))
        return redirect(f"{order.get_absolute_url()}#messages")
    return _render_panel(request, order, form=form, status=422)


def _first_error(form) -> str:
    for errors in form.errors.values():
        return errors[0]
    return "The message was not sent."


def _posted_text(message: Message) -> str:
    if message.is_internal:
        return "Internal note added."
    if message.channel == Message.Channel.IN_APP and message.delivery_id:
        return "Reply posted in the customer's portal; they are told by email."
    if message.delivery_id:
        return f"Reply queued to go out by {message.delivery.get_channel_display()}."
    return "Reply posted in the customer's portal."


@member_required
@require_POST
@merchant_timezone
def thread_close_view(request, order_pk: int):
    return _thread_change(request, order_pk, services.thread_close, "closed")


@member_required
@require_POST
@merchant_timezone
def thread_reopen_view(request, order_pk: int):
    return _thread_change(request, order_pk, services.thread_reopen, "reopened")


def _thread_change(request, order_pk: int, change, done: str):
    order = order_selectors.order_get_for_user(request.user, order_pk)
    change(order=order, actor=request.user)  # NotAllowed: 403
    return _after_write(request, order, f"Conversation {done}.")


def _after_write(request, order, text: str):
    if not request.htmx:
        flash.success(request, text)
        return redirect(f"{order.get_absolute_url()}#messages")
    return toast(_render_panel(request, order, mark_read=False), text)


def _render_panel(
    request, order, *, form=None, mark_read=False, show_all=False, status=200
):
    context = panel_context(
        request, order, form=form, mark_read=mark_read, show_all=show_all
    )
    response = render(request, "messaging/_panel.html", context, status=status)
    return read_trigger(response, order, context)


# --- Attachments ---------------------------------------------------------------


@member_required
@require_safe
def attachment_download_view(request, pk: int):
    """An attachment, for whoever may see its message (never the raw media URL)."""
    attachment = _attachment_for_user(request.user, pk)
    if not attachment.file or attachment.message.is_redacted:
        raise Http404("This attachment was removed at the customer's request.")
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,  # never rendered inline: it came from a stranger
        filename=attachment.filename,
        content_type=attachment.content_type or "application/octet-stream",
    )
    response["Cache-Control"] = "private, no-store"
    return response


def _attachment_for_user(user, pk: int) -> Attachment:
    attachment = (
        Attachment.objects.select_related("message__thread").filter(pk=pk).first()
    )
    if attachment is None:
        raise Http404("No such attachment.")
    message = attachment.message
    if message.thread_id is None:
        selectors.unmatched_get_for_user(user, message.pk)
    else:
        order = order_selectors.order_get_for_user(user, message.thread.order_id)
        selectors.message_get_for_user(user, order, message.pk)
    return attachment


# --- The Inbox ---------------------------------------------------------------------


@member_required
@require_safe
@merchant_timezone
def inbox_view(request):
    user = request.user
    stores = order_selectors.user_stores(user)
    form = InboxFilterForm(request.GET or None, stores=stores)
    context = {
        # Taken before the threads are read: nothing written after it slips by.
        "live_cursor": str(feed.current_cursor()),
        "filters": form,
        "filter_errors": None,
        "page": None,
        "hits": None,
        "may_search": inbox.user_may_search(user),
        "is_staff": _is_team(user),
        "assignees": selectors.team_people(user),
        "querystring": _without_page(request),
    }
    try:
        filters = inbox.inbox_filters_from(request.GET)
    except ApplicationError as exc:
        context["filter_errors"] = _describe(form, exc)
        return render(request, _inbox_template(request), context, status=400)
    threads = inbox.inbox_threads(user, filters)
    context["page"] = Paginator(threads, INBOX_PAGE).get_page(request.GET.get("page"))
    context["rows"] = _inbox_rows(
        user, context["page"].object_list, _with_page(request)
    )
    if filters.q and context["may_search"] and context["page"].number == 1:
        context["hits"] = inbox.message_search(user, filters, limit=SEARCH_HITS)
    context["escalations"] = selectors.escalations_for(user)
    template = _inbox_template(request)
    if template == "messaging/inbox.html":
        context.update(_workspace(request))
    return render(request, template, context)


def _workspace(request) -> dict:
    """What the whole Inbox page shows around the list: its views with their
    counts, the team's labels, and the conversation named by `?open=`."""
    user = request.user
    counts = inbox.view_counts(user)
    current = inbox.current_view(request.GET)
    context = {
        "views": [
            (view, counts.get(view.key), view.key == current) for view in inbox.VIEWS
        ],
        "nav_labels": [
            (item, current == f"label:{item.pk}")
            for item in selectors.team_labels(user)
        ],
        "pane": None,
    }
    opened = request.GET.get("open", "")
    if opened.isdigit():
        order = order_selectors.order_get_for_user(user, int(opened))
        context.update(conversation_context(request, order, mark_read=True))
        context["pane"] = True
    return context


def _inbox_rows(user, threads, query: str) -> list[dict]:
    """Each thread with its newest message as the user may see it (the newest
    public one where internal notes are not theirs to read), and the Inbox's
    address with it open (the list's `query` kept)."""
    scope = inbox.internal_scope(user)
    threads = list(threads)

    def last_id(thread):
        sees_notes = scope is True or (scope and thread.merchant_id in scope)
        return thread.last_message_id if sees_notes else thread.last_public_message_id

    ids = {last_id(thread) for thread in threads} - {0}
    last = Message.objects.filter(pk__in=ids).select_related(
        "author_user", "author_customer", "redaction"
    )
    by_pk = {message.pk: message for message in last}
    targets = sla.targets_by_store({thread.store_id for thread in threads})
    now = timezone.now()
    return [
        {
            "thread": t,
            "last": by_pk.get(last_id(t)),
            "opened": f"?{query}{'&' if query else ''}open={t.order_id}",
            "snoozed": t.snoozed_until is not None and t.snoozed_until > now,
            "flags": [
                (flag, flag.describe(now))
                for flag in sla.thread_flags(t, targets[t.store_id], now)
            ],
        }
        for t in threads
    ]


def _inbox_template(request) -> str:
    if request.htmx and request.htmx.target == "inbox-results":
        return "messaging/_inbox_results.html"
    return "messaging/inbox.html"


def _describe(form, exc: ApplicationError) -> list[str]:
    names = {"store_id": "store"}
    described = []
    for name, errors in exc.fields.items():
        field = form.fields.get(names.get(name, name))
        label = field.label if field else name
        described += [f"{label}: {error}" for error in errors]
    return described or [exc.message]


def _with_page(request) -> str:
    query = request.GET.copy()
    query.pop("open", None)
    return query.urlencode()


def _without_page(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("open", None)
    return query.urlencode()


def _is_team(user) -> bool:
    return user.is_superuser or bool(order_selectors.user_team_merchant_ids(user))


# --- The Unmatched inbox ---------------------------------------------------------


def _staff_only(user) -> None:
    if not _is_team(user):
        raise PermissionDenied("The Unmatched inbox is for the merchant's staff.")


@member_required
@require_safe
@merchant_timezone
def unmatched_view(request):
    _staff_only(request.user)
    unmatched = selectors.unmatched_messages(request.user).order_by("-pk")
    page = Paginator(unmatched, UNMATCHED_PAGE).get_page(request.GET.get("page"))
    rows = [
        (message, LinkForm(user=request.user, message=message))
        for message in page.object_list
    ]
    context = {"page": page, "rows": rows}
    return render(request, "messaging/unmatched.html", context)


@member_required
@require_POST
@merchant_timezone
def unmatched_link_view(request, pk: int):
    _staff_only(request.user)
    message = selectors.unmatched_get_for_user(request.user, pk)
    form = LinkForm(request.POST, user=request.user, message=message)
    if form.is_valid():
        try:
            services.message_link(message=message, order=form.order, actor=request.user)
        except NotAllowed:
            raise
        except ApplicationError as exc:
            add_service_error(form, exc, summary=True)
        else:
            return _after_link(request, message, form.order)
    context = {"message": message, "form": form}
    if not request.htmx:
        flash.error(request, form.errors.get("order_number", ["Not linked."])[0])
        return redirect("messaging:unmatched")
    return render(request, "messaging/_unmatched_item.html", context, status=422)


def _after_link(request, message, order):
    text = f"Message linked to order {order.order_number}."
    if not request.htmx:
        flash.success(request, text)
        return redirect("messaging:unmatched")
    context = {"message": message, "linked_order": order}
    response = render(request, "messaging/_unmatched_item.html", context)
    return toast(response, text)


# --- Metrics -------------------------------------------------------------------------


@member_required
@require_safe
@merchant_timezone
def metrics_view(request):
    user = request.user
    _staff_only(user)
    form = MetricsFilterForm(
        request.GET or None,
        stores=order_selectors.user_stores(user),
        staff=_team_members(user),
    )
    context = {"filters": form, "report": None, "filter_errors": None}
    try:
        filters = metrics.metrics_filters_from(request.GET)
    except ApplicationError as exc:
        context["filter_errors"] = _describe(form, exc)
        filters = metrics.MetricsFilters()  # the default period, shown beneath
    context["report"] = metrics.messaging_metrics(user, filters)
    context["charts"] = metrics.metrics_charts(context["report"])
    status = 400 if context["filter_errors"] else 200
    return render(request, "messaging/metrics.html", context, status=status)


def _team_members(user):
    merchant_ids = order_selectors.user_team_merchant_ids(user)
    return (
        get_user_model()
        .objects.filter(
            is_active=True,
            memberships__merchant_id__in=merchant_ids,
            memberships__role__in=[Membership.Role.STAFF, Membership.Role.ADMIN],
        )
        .distinct()
        .order_by("first_name", "username")
    )
