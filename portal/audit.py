"""The customer's requests in the audit trail: every portal page a signed-in
customer opens is one `AuditEvent`, and so is every action of theirs that the
services do not record themselves (docs/portal.md, "Audit").

`audited_page` wraps every customer view (`portal.views.common.customer_required`
applies it; Help, which is public, uses it itself). It records `portal.<url name>`
with the customer as actor and target, their merchant, the order when the page is
about one, the query's terms (searches, filters, the page of a list) and the URL's
arguments, for

- a page view: GET or HEAD answered 200, unless its view recorded what it showed
  or served under a name of its own (`OWN_EVENTS`: an invoice viewed, a PDF
  downloaded, the CSV exported), so a view is one row;
- a POST that succeeded (below 400) and recorded nothing itself; the services
  record what a POST changes (`message.sent`, `profile.updated`, ...), and those
  get no second row.

Not recorded: refusals (404, 400, 405: nothing was shown or changed) and the live
script's refreshes (`X-Portal-Live: 1`), parts of a page already recorded fetched
because an order changed, not because the customer asked.
"""

from functools import wraps

from performile.audit import audit, recorded
from portal.selectors import portal_customer
from portal.session import is_live_refresh

# Pages whose view audits itself, under a name shared with the staff's pages.
OWN_EVENTS = {
    "invoices_detail": "invoice.viewed",
    "invoices_statement": "statement.viewed",
    "invoices_pdf": "invoice.downloaded",
    "invoices_credit_note_pdf": "credit_note.downloaded",
    "invoices_statement_pdf": "statement.downloaded",
    "orders_confirmation": "order_confirmation.downloaded",
    # With its parameters the page is the CSV; without, the form (a page view).
    "invoices_export": "invoices.exported",
    "profile_export": "customer.exported",
}
# The query's terms as recorded: this many, each cut to this length.
QUERY_TERMS = 20
TERM_LENGTH = 200


def audited_page(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        with recorded() as written:
            response = view(request, *args, **kwargs)
        page_viewed(request, response, written)
        return response

    return wrapper


def page_viewed(request, response, written: list[str]) -> None:
    """Record the request, unless the rules above say not to; `written`: the
    actions the view audited."""
    match = request.resolver_match
    if match is None or response.status_code >= 400 or is_live_refresh(request):
        return
    if request.method in ("GET", "HEAD"):
        if response.status_code != 200 or OWN_EVENTS.get(match.url_name) in written:
            return
    elif written:
        return
    customer = portal_customer(request.user)
    if customer is None:
        return
    data = {}
    query = _terms(request.GET)
    if query:
        data["query"] = query
    if match.kwargs:
        data["args"] = match.kwargs
    audit(
        f"portal.{match.url_name}",
        actor=request.user,
        target=customer,
        merchant_id=customer.merchant_id,
        order_id=_order_id(match, request.GET),
        **data,
    )


def _terms(query) -> dict:
    terms = {}
    for key in list(query)[:QUERY_TERMS]:
        values = [value[:TERM_LENGTH] for value in query.getlist(key) if value]
        if values:
            terms[key[:TERM_LENGTH]] = values[0] if len(values) == 1 else values
    return terms


def _order_id(match, query) -> int | None:
    """The order the page is about: the `pk` of an order's URL, the `?order=` of
    the messages page (its thread; not the customer's order is a 404 there)."""
    if match.url_name.startswith("orders_"):
        return match.kwargs.get("pk")
    if match.url_name == "messages" and query.get("order"):
        try:
            return int(query["order"])
        except ValueError:
            return None
    return None
