"""The customer's requests in the audit trail: every portal page a signed-in
customer opens is one `AuditEvent`, and so is every action of theirs that the
services do not record themselves (docs/portal.md, "Audit").

`audited_page` wraps every customer view (`portal.views.common.customer_required`
applies it; Help, which is public, uses it itself). A request that got what it
asked for (GET or HEAD: 200; a POST: below 400) and whose view recorded nothing
itself is recorded `portal.<url name>`, with the customer as actor and target,
their merchant, the order when the page is about one, the query's terms
(searches, filters, the page of a list) and the URL's arguments.

A view that records what it showed, served or changed under a name of its own
(an invoice viewed, a PDF downloaded, the CSV exported, the thread's replies
read, a message sent, the profile updated, ...) keeps that row only: one request,
one row (`performile.audit.recorded` tells what the view wrote).

Not recorded: refusals (404, 400, 405: nothing was shown or changed) and the live
script's refreshes (`portal.session.is_live_refresh`), parts of a page already
recorded fetched because an order changed, not because the customer asked.
"""

from functools import wraps

from performile.audit import audit, recorded
from portal.selectors import portal_customer
from portal.session import is_live_refresh

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
    if request.method in ("GET", "HEAD"):
        answered = response.status_code == 200
    else:
        answered = response.status_code < 400
    if match is None or written or not answered or is_live_refresh(request):
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
