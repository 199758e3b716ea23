import io

import pytest
from pypdf import PdfReader

from invoices import pdf
from invoices.models import Invoice
from invoices.services import credit_note_issue, invoice_issue_for_order

pytestmark = pytest.mark.django_db


def text_of(content: bytes) -> str:
    return "\n".join(
        page.extract_text() for page in PdfReader(io.BytesIO(content)).pages
    )


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def test_the_pdf_is_rendered_at_issue_and_holds_the_number_and_total(
    order, media, eager_celery, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invoice = invoice_issue_for_order(order=order)
    invoice.refresh_from_db()
    assert invoice.pdf.name.endswith(f"{invoice.number}.pdf")

    text = text_of(pdf.stored_pdf("invoice", invoice))
    assert invoice.number in text
    assert "50.00 EUR" in text
    assert "Nordic Goods AB" in text
    assert "Café Lyktan" in text


def test_a_stored_pdf_is_never_rendered_again(order, media, monkeypatch):
    invoice = invoice_issue_for_order(order=order)
    first = pdf.store_pdf("invoice", invoice.pk)
    stored = first.pdf.read()

    def refuse(*args, **kwargs):
        raise AssertionError("rendered twice")

    monkeypatch.setattr(pdf, "render", refuse)
    again = pdf.store_pdf("invoice", invoice.pk)
    assert again.pdf.name == first.pdf.name
    assert pdf.stored_pdf("invoice", Invoice.objects.get(pk=invoice.pk)) == stored


def test_a_missing_pdf_is_rendered_on_first_download(order, media):
    invoice = invoice_issue_for_order(order=order)
    assert not invoice.pdf
    assert invoice.number in text_of(pdf.stored_pdf("invoice", invoice))
    assert Invoice.objects.get(pk=invoice.pk).pdf


def test_the_credit_note_pdf_names_the_invoice_it_credits(order, media, staff_user):
    invoice = invoice_issue_for_order(order=order)
    note = credit_note_issue(invoice=invoice, actor=staff_user, reason="Damaged box")
    text = text_of(pdf.stored_pdf("credit_note", note))
    assert note.number in text
    assert invoice.number in text
    assert "Damaged box" in text


def test_the_watermark_is_added_to_every_page_without_touching_the_rest(order, media):
    invoice = invoice_issue_for_order(order=order)
    original = pdf.stored_pdf("invoice", invoice)
    stamped = pdf.watermark(original, pdf.customer_watermark("C00001234"))

    text = text_of(stamped)
    assert "Downloaded by customer C00001234" in text
    assert invoice.number in text
    assert "C00001234" not in text_of(original)
    assert len(PdfReader(io.BytesIO(stamped)).pages) == len(
        PdfReader(io.BytesIO(original)).pages
    )
