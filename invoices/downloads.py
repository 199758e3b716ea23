"""Serving billing PDFs: the stored file for the merchant's people, the same file
with a watermark for the customer it belongs to. Every download is audited. The
staff pages and the customer portal both answer through these functions; the
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
    content = pdf.stored_pdf(kind, document)
    customer = document.customer
    copy = "stored"
    if _is_customer_copy(request.user, document):
        content = pdf.watermark(
            content, pdf.customer_watermark(customer.customer_number)
        )
        copy = "customer"
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
    """The order's confirmation, rendered now (orders change; nothing is stored)."""
    content = pdf.render("order_confirmation", pdf.order_confirmation_context(order))
    audit(
        "order_confirmation.downloaded",
        actor=request.user,
        target=order,
        merchant_id=order.merchant_id,
        order_id=order.pk,
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


def _is_customer_copy(user, document) -> bool:
    """The requesting user is the document's customer, and not one of the
    merchant's people (who get the stored file byte for byte)."""
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
