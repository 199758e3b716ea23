"""The customer directory's pages: the list (search, orders, balance, portal
access), a customer's page, and the invitation and merge actions. For the
merchant's staff and admins; another merchant's customer is 404. Thin: parse,
call one selector or service, render."""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST, require_safe

from orders.customers import customer_merge
from orders.selectors import customer_by_number_for_team
from orders.services import customer_language_set
from orders.views.common import member_required, merchant_timezone
from performile.errors import ApplicationError
from portal import invitations
from portal.invitations import ACCESS_LABELS
from workspace.customers import selectors
from workspace.customers.forms import CustomerLanguageForm

PAGE_SIZE = 25


@member_required
@require_safe
@merchant_timezone
def customer_list_view(request):
    selectors.directory_check(request.user)
    return _list_page(request)


@member_required
@require_safe
@merchant_timezone
def customer_detail_view(request, pk: int):
    customer = selectors.customer_detail(request.user, pk)
    return _detail_page(request, customer)


@member_required
@require_safe
@merchant_timezone
def customer_access_view(request, pk: int):
    """The customer's portal access with the invite and resend buttons: the part
    of the order page's Customer section that the directory knows (loaded into
    it, since orders sit below the portal)."""
    customer = selectors.customer_detail(request.user, pk)
    history = selectors.customer_invitations(customer)
    context = {
        "customer": customer,
        "access": selectors.customer_access(customer, history[0] if history else None),
        "next": _safe_next(request, request.GET.get("next", "")),
    }
    return render(request, "workspace/customers/_order_access.html", context)


@member_required
@require_POST
@merchant_timezone
def customer_language_view(request, pk: int):
    """The language the customer is written to, set by the team (400 and nothing
    changed for one we do not write in)."""
    customer = selectors.customer_detail(request.user, pk)
    form = CustomerLanguageForm(request.POST)
    if not form.is_valid():
        error = "Choose one of the languages listed: nothing was changed."
        return _detail_page(request, customer, error=error, status=400)
    try:
        customer_language_set(
            customer=customer,
            actor=request.user,
            language=form.cleaned_data["language"],
        )
    except ApplicationError as exc:
        return _detail_page(request, customer, error=exc.message, status=400)
    messages.success(request, "Language saved.")
    return redirect(reverse("workspace:customers:detail", args=[customer.pk]))


def _invitation_action(service, done: str):
    """A POST on one customer's invitation: `service` (portal.invitations) with
    the customer and the user."""

    @member_required
    @require_POST
    @merchant_timezone
    def view(request, pk: int):
        customer = selectors.customer_detail(request.user, pk)
        return _act(request, customer, service, done)

    return view


customer_invite_view = _invitation_action(
    invitations.invitation_send, "Invitation sent"
)
customer_resend_view = _invitation_action(
    invitations.invitation_resend, "Invitation resent"
)
customer_revoke_view = _invitation_action(
    invitations.invitation_revoke, "Invitation revoked"
)


@member_required
@require_POST
@merchant_timezone
def customer_invite_many_view(request):
    """ "Invite to portal" for a selection: who could not be invited is named with
    the reason, the others are invited."""
    selectors.directory_check(request.user)
    customers = selectors.customers_selected(
        request.user, request.POST.getlist("customer")
    )
    if not customers:
        messages.error(request, "Select the customers to invite first.")
        return _list_page(request, status=400)
    done = invitations.invitation_send_many(customers=customers, actor=request.user)
    if done.sent:
        count = len(done.sent)
        plural = "s" if count > 1 else ""
        messages.success(
            request, f"Invitation{plural} sent to {count} customer{plural}."
        )
    for _customer, reason in done.skipped:
        messages.warning(request, f"Not invited: {reason}")
    if not done.sent:
        return _list_page(request, status=400)
    return redirect(_next(request, reverse("workspace:customers:list")))


@member_required
@require_POST
@merchant_timezone
def customer_merge_view(request, pk: int):
    """Merge this customer into the one whose number is typed in (orders.customers
    .customer_merge: orders, invoices, threads and addresses move)."""
    customer = selectors.customer_detail(request.user, pk)
    number = request.POST.get("into", "").strip().upper()
    into = customer_by_number_for_team(request.user, number) if number else None
    if into is None or into.is_erased:
        error = f"No customer {number or 'given'} of this merchant to merge into."
        return _detail_page(request, customer, error=error, status=400)
    try:
        merged = customer_merge(customer=customer, into=into, actor=request.user)
    except ApplicationError as exc:
        return _detail_page(request, customer, error=exc.message, status=400)
    messages.success(
        request,
        f"Customer {customer.customer_number} merged into {merged.customer_number}.",
    )
    return redirect("workspace:customers:detail", pk=merged.pk)


# --- Pages -----------------------------------------------------------------------


def _list_page(request, *, status: int = 200):
    q = request.GET.get("q", "").strip()[: selectors.SEARCH_MAX]
    access = request.GET.get("access", "")
    access = access if access in ACCESS_LABELS else ""
    customers = selectors.customer_directory(request.user, q=q, access=access)
    page = Paginator(customers, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "q": q,
        "access": access,
        "access_choices": ACCESS_LABELS.items(),
        "access_label": ACCESS_LABELS.get(access, ""),
        "page": page,
        "rows": selectors.directory_rows(request.user, page.object_list),
        "querystring": urlencode(
            {k: v for k, v in (("q", q), ("access", access)) if v}
        ),
        "here": request.get_full_path() if request.method == "GET" else "",
    }
    return render(request, "workspace/customers/list.html", context, status=status)


def _detail_page(request, customer, *, error: str = "", status: int = 200):
    history = selectors.customer_invitations(customer)
    context = {
        "customer": customer,
        "balances": selectors.customer_balances(request.user, [customer.pk]).get(
            customer.pk, []
        ),
        "access": selectors.customer_access(customer, history[0] if history else None),
        "invitations": history,
        "language_form": CustomerLanguageForm(initial={"language": customer.language}),
        "error": error,
    }
    return render(request, "workspace/customers/detail.html", context, status=status)


def _act(request, customer, service, done: str):
    """One invitation action on one customer: back where the button was, or the
    customer's page with what is wrong (400, nothing changed)."""
    try:
        service(customer=customer, actor=request.user)
    except ApplicationError as exc:
        return _detail_page(request, customer, error=exc.message, status=400)
    messages.success(request, f"{done}: {customer.name or customer.customer_number}.")
    return redirect(
        _next(request, reverse("workspace:customers:detail", args=[customer.pk]))
    )


def _next(request, default: str) -> str:
    """Where the form came from (a directory page with its search, an order's
    page), if it is one of ours."""
    return _safe_next(request, request.POST.get("next", "")) or default


def _safe_next(request, target: str) -> str:
    """`target` if it is a directory page or an order's page of ours, else ""."""
    if target.startswith(
        ("/customers/", "/orders/")
    ) and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return ""
