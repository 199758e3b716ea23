"""Serving billing PDFs and order confirmations: the file as it is for the
merchant's people, the same file with a watermark at the foot of every page for
the customer it belongs to (`invoices.pdf.watermark`). Every download is audited.
The staff pages and the customer portal both answer through these functions; the
caller has already fetched the document through `invoices.selectors` (404 if not
visible)."""

from django.http import HttpResponse, StreamingHttpResponse
from django.utils.http import content_disposition_header

from invoices import exports, pdf
from orders.models import Membership
from performile.audit import audit

KINDS = ("invoice", "credit_note", "statement")
MERCHANT_SIDE = [
    Membership.Role.ADMIN,
    Membership.Role.STAFF,
    Membership.Role.RESELLER,
]


def pdf_response(request, kind: str, document) -> HttpResponse:
    if kind not in KINDS:
        raise ValueError(kind)
    content, copy = _copy_for(
        request.user, document, pdf.stored_pdf(kind, document), plain="stored"
    )
    audit(
        f"{kind}.downloaded",
        actor=request.user,
        target=document,
        merchant_id=document.merchant_id,
        order_id=_order_id(kind, document),
        copy=copy,
    )
    return _pdf(request, content, pdf.filename(kind, document))


def order_confirmation_response(request, order) -> HttpResponse:
    """The order's confirmation, rendered now (orders change; nothing is stored);
    the order's customer gets it watermarked, as any other document of theirs."""
    content = pdf.render("order_confirmation", pdf.order_confirmation_context(order))
    content, copy = _copy_for(request.user, order, content, plain="rendered")
    audit(
        "order_confirmation.downloaded",
        actor=request.user,
        target=order,
        merchant_id=order.merchant_id,
        order_id=order.pk,
        copy=copy,
    )
    return _pdf(request, content, f"order-confirmation-{order.order_number}.pdf")


def _pdf(request, content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    inline = request.GET.get("inline") == "1"
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=not inline, filename=filename
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _copy_for(user, document, content: bytes, *, plain: str) -> tuple[bytes, str]:
    """What `user` gets of `document` (an invoice, credit note, statement or
    order) and what to call that copy in the audit: the customer's copy, stamped,
    or `content` byte for byte (`plain`)."""
    if not _is_customer_copy(user, document):
        return content, plain
    return pdf.customer_copy(content, document.customer.customer_number), "customer"


def _is_customer_copy(user, document) -> bool:
    """The requesting user is the document's customer, and not one of the
    merchant's people (who get the file byte for byte)."""
    customer = document.customer
    if customer is None or customer.user_id != user.pk or user.is_superuser:
        return False
    return not Membership.objects.filter(
        user=user, merchant_id=document.merchant_id, role__in=MERCHANT_SIDE
    ).exists()


def _order_id(kind: str, document) -> int | None:
    if kind == "invoice":
        return document.order_id
    if kind == "credit_note":
        return document.invoice.order_id
    return None


def csv_download(
    request, *, kind: str, start, end, customer_id: int | None = None
) -> HttpResponse:
    """The accounting export (`invoices.exports.export`) as a CSV download, audited
    ("invoices.exported"): the one door to it for staff and customers. Raises
    ApplicationError on a bad kind or period."""
    filename, chunks = exports.export(
        request.user, kind=kind, start=start, end=end, customer_id=customer_id
    )
    audit(
        "invoices.exported",
        actor=request.user,
        kind=kind,
        period=f"{start:%Y-%m-%d}/{end:%Y-%m-%d}",
        customer_id=customer_id,
    )
    response = StreamingHttpResponse(chunks, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=filename
    )
    response["Cache-Control"] = "private, no-store"
    return response
