"""PDF downloads: whoever may see the document (its merchant's people, and the
customer it belongs to, who gets a watermarked copy)."""

from django.views.decorators.http import require_safe

from invoices import downloads, selectors
from performile.htmx import login_required_htmx


@login_required_htmx
@require_safe
def invoice_pdf_view(request, pk: int):
    invoice = selectors.invoice_get_for_user(request.user, pk)
    return downloads.pdf_response(request, "invoice", invoice)


@login_required_htmx
@require_safe
def credit_note_pdf_view(request, pk: int):
    note = selectors.credit_note_get_for_user(request.user, pk)
    return downloads.pdf_response(request, "credit_note", note)


@login_required_htmx
@require_safe
def statement_pdf_view(request, pk: int):
    statement = selectors.statement_get_for_user(request.user, pk)
    return downloads.pdf_response(request, "statement", statement)
