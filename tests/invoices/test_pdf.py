import io

import pytest
from pypdf import PdfReader, PdfWriter
from pypdf.generic import NameObject, NumberObject, RectangleObject

from invoices import pdf
from invoices.models import Invoice
from invoices.services import credit_note_issue, invoice_issue_for_order
from tests.invoices.conftest import make_order
from tests.pdfs import text_runs

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


STAMP = "Downloaded by customer C00001234"


def long_invoice(store, buyer) -> bytes:
    """The stored PDF of an invoice of 90 lines: three pages."""
    order = make_order(store, buyer, lines=[(1, f"{n}.00") for n in range(1, 91)])
    content = pdf.stored_pdf("invoice", invoice_issue_for_order(order=order))
    assert len(PdfReader(io.BytesIO(content)).pages) >= 2
    return content


def stamps_and_the_rest(content: bytes):
    runs = text_runs(content)
    return (
        [run for run in runs if run.text.startswith(STAMP)],
        [run for run in runs if not run.text.startswith(STAMP)],
    )


def assert_stamped_at_the_foot(original: bytes, stamped: bytes):
    """The stamp once on every page, upright, in the shown page's bottom 15%
    and within its width; everything else exactly where it was."""
    stamps, rest = stamps_and_the_rest(stamped)
    pages = len(PdfReader(io.BytesIO(stamped)).pages)
    assert [stamp.page for stamp in stamps] == list(range(pages))
    for stamp in stamps:
        assert stamp.upright, stamp
        assert 0 < stamp.y < 0.15 * stamp.height, stamp
        assert 0 < stamp.x < 0.5 * stamp.width, stamp
    assert rest == text_runs(original)


def test_the_watermark_stands_upright_at_the_foot_of_every_page(
    store, buyer, profile, media
):
    """WeasyPrint flips the y axis for its content; the stamp is not flipped with
    it (it used to print upside down at the top of the page)."""
    original = long_invoice(store, buyer)

    stamped = pdf.watermark(original, pdf.customer_watermark("C00001234"))

    assert_stamped_at_the_foot(original, stamped)


def turned(content: bytes, *, rotate=0, shift=(0, 0), crop=None, on_tree=False):
    """`content` with every page turned by `rotate`, its boxes moved by `shift`,
    cropped by `crop` (points off each edge), and with /Rotate, /Resources and the
    boxes on the page tree instead of the pages when `on_tree`."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(content)))
    for page in writer.pages:
        left, bottom, right, top = (float(value) for value in page.mediabox)
        dx, dy = shift
        page.mediabox = RectangleObject([left + dx, bottom + dy, right + dx, top + dy])
        if crop:
            page.cropbox = RectangleObject(
                [
                    left + dx + crop,
                    bottom + dy + crop,
                    right + dx - crop,
                    top + dy - crop,
                ]
            )
        if on_tree:
            tree = page["/Parent"].get_object()
            for key in ("/Resources", "/MediaBox", "/CropBox"):
                if key in page:
                    tree[NameObject(key)] = page[key]
                    del page[key]
            tree[NameObject("/Rotate")] = NumberObject(rotate)
        else:
            page[NameObject("/Rotate")] = NumberObject(rotate)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.mark.parametrize(
    "shape",
    [
        {"rotate": 90},
        {"rotate": 180},
        {"rotate": 270},
        {"rotate": -90},
        {"shift": (100, -250)},
        {"crop": 40},
        {"rotate": 90, "shift": (30, 40), "crop": 25},
        {"rotate": 270, "crop": 30, "on_tree": True},
    ],
    ids=[
        "rotate-90",
        "rotate-180",
        "rotate-270",
        "rotate-minus-90",
        "mediabox-off-origin",
        "cropped",
        "rotated-shifted-cropped",
        "inherited-rotate-resources-and-boxes",
    ],
)
def test_the_watermark_is_at_the_foot_of_the_page_as_shown(
    store, buyer, profile, media, shape
):
    """Whatever the page's size, offset, crop box or rotation."""
    original = turned(long_invoice(store, buyer), **shape)

    stamped = pdf.watermark(original, pdf.customer_watermark("C00001234"))

    assert_stamped_at_the_foot(original, stamped)
