"""PDFs: rendered once with WeasyPrint from one template per document, stored, and
served from storage afterwards. A customer's copy gets a watermark stamped onto the
stored file (pypdf), without rendering the document again.
"""

import gc
import io
import logging
import threading
from datetime import datetime, timedelta

from django.core.files.base import ContentFile
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from pypdf import PdfReader, PdfWriter, Transformation
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    NameObject,
)

from invoices.models import CreditNote, Invoice, Statement

logger = logging.getLogger(__name__)

TEMPLATES = {
    "invoice": "invoices/pdf/invoice.html",
    "credit_note": "invoices/pdf/credit_note.html",
    "statement": "invoices/pdf/statement.html",
    "order_confirmation": "invoices/pdf/order_confirmation.html",
}
MODELS = {"invoice": Invoice, "credit_note": CreditNote, "statement": Statement}
# A document's render task normally runs within seconds of its issue.
RENDER_GRACE = timedelta(minutes=2)


_fonts = threading.local()


def render(kind: str, context: dict) -> bytes:
    """The document as PDF bytes, from its template.

    Two things keep a render near its median (docs/bench.md, invoices): the font
    configuration is kept per thread instead of being rebuilt every time, and the
    cyclic garbage collector waits until the render is done (a render allocates
    enough to trigger full collections of a Django process's heap midway, which
    doubled the slowest renders).
    """
    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration

    html = render_to_string(TEMPLATES[kind], context)
    fonts = getattr(_fonts, "config", None)
    if fonts is None:
        fonts = _fonts.config = FontConfiguration()
    collecting = gc.isenabled()
    gc.disable()
    try:
        return HTML(string=html, base_url=None).write_pdf(font_config=fonts)
    finally:
        if collecting:
            gc.enable()


def document_context(kind: str, document) -> dict:
    if kind == "invoice":
        return {
            "invoice": document,
            "document": document,
            "seller": document.seller,
            "lines": list(document.lines.all()),
        }
    if kind == "credit_note":
        return {
            "note": document,
            "document": document,
            "seller": document.seller,
            "invoice": document.invoice,
            "lines": list(document.lines.all()),
        }
    if kind == "statement":
        from invoices.services.common import billing_profile, seller_snapshot

        return {
            "statement": document,
            "customer": document.customer,
            "seller": seller_snapshot(billing_profile(document.merchant)),
        }
    raise ValueError(kind)


def filename(kind: str, document) -> str:
    if kind == "statement":
        return (
            f"statement-{document.customer.customer_number}-"
            f"{document.period_start:%Y-%m-%d}-{document.period_end:%Y-%m-%d}.pdf"
        )
    return f"{document.number}.pdf"


def store_pdf(kind: str, document_id: int):
    """Render the document's PDF and store it, once. Returns the document."""
    model = MODELS[kind]
    document = model.objects.get(pk=document_id)
    if document.pdf:
        return document
    content = render(kind, document_context(kind, document))
    with transaction.atomic():
        locked = model.objects.select_for_update().get(pk=document_id)
        if locked.pdf:  # another worker was first; keep its file
            return locked
        locked.pdf.save(filename(kind, locked), ContentFile(content), save=False)
        model.objects.filter(pk=document_id).update(pdf=locked.pdf.name)
    return locked


def missing_pdfs(limit: int = 200) -> list[tuple[str, int]]:
    """Invoices and credit notes issued recently whose PDF was never rendered (its
    task was lost: the broker was away when it was queued). Older ones render on
    first download, as the demo's do."""
    now = timezone.now()
    missing = []
    for kind in ("invoice", "credit_note"):
        missing += [
            (kind, pk)
            for pk in without_pdf(kind)
            .filter(issued_at__lt=now - RENDER_GRACE)
            .order_by("pk")
            .values_list("pk", flat=True)[:limit]
        ]
    return missing[:limit]


def without_pdf(kind: str):
    """The documents of a kind issued in the last day whose PDF is not stored yet
    (rendering, or waiting for the sweep)."""
    now = timezone.now()
    return MODELS[kind].objects.filter(
        pdf="",
        issued_at__gte=now - timedelta(days=1),
        issue_date__gte=now.date() - timedelta(days=1),
    )


def stored_pdf(kind: str, document) -> bytes:
    """The stored PDF's bytes, rendering and storing it first if it is missing
    (a render task that has not run yet)."""
    if not document.pdf:
        document = store_pdf(kind, document.pk)
    with document.pdf.open("rb") as handle:
        return handle.read()


# The stamp: small grey Helvetica, this far from the visible page's left edge and
# foot (points), shrunk on a page too narrow for the line.
STAMP_SIZE = 7.0
STAMP_LEFT = 36.0
STAMP_FOOT = 14.0
# Helvetica's average advance is about half an em; 0.55 keeps a long line inside.
STAMP_EM = 0.55
STAMP_FONT = NameObject("/PerformileWM")


def watermark(pdf: bytes, text: str) -> bytes:
    """`pdf` with `text` stamped in small grey type along the foot of every page,
    as real text (extractable, searchable). Costs milliseconds: the pages are not
    rendered again, and their content streams are kept as they are.

    Each page's content is wrapped in `q … Q`, so the stamp starts from the page's
    default coordinates whatever the content left behind (WeasyPrint flips the
    y axis, `1 0 0 -1 0 h cm`, outside any `q`); the stamp is then placed in the
    page as shown: the visible box (crop box), turned by its `/Rotate`. pypdf
    flattens the page tree as it reads it, so each page carries the `/Resources`,
    `/Rotate` and boxes it inherits.
    """
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    font = writer._add_object(
        DictionaryObject(
            {
                NameObject("/Type"): NameObject("/Font"),
                NameObject("/Subtype"): NameObject("/Type1"),
                NameObject("/BaseFont"): NameObject("/Helvetica"),
                NameObject("/Encoding"): NameObject("/WinAnsiEncoding"),
            }
        )
    )
    save = writer._add_object(_stream(b"q\n"))
    for page in writer.pages:
        # Resources shared by several pages get the same font under the same name.
        resources = page.setdefault(NameObject("/Resources"), DictionaryObject())
        fonts = resources.get_object().setdefault(
            NameObject("/Font"), DictionaryObject()
        )
        fonts.get_object()[STAMP_FONT] = font
        stamp = writer._add_object(_stream(_stamp(page, text)))
        page[NameObject("/Contents")] = ArrayObject([save, *_contents(page), stamp])
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _stamp(page, text: str) -> bytes:
    """The stamp's operators: restore the page's default coordinates (`Q`), move to
    the shown page's bottom-left corner, upright, and write the line (a hex string
    in WinAnsi, what the stamp's font reads: nothing to escape)."""
    rotation = page.rotation % 360
    if rotation not in (0, 90, 180, 270):  # not a valid /Rotate: viewers ignore it
        rotation = 0
    left, bottom, right, top = _visible_box(page)
    # Where the shown page's bottom-left corner is, in the page's own coordinates.
    corner = {
        0: (left, bottom),
        90: (right, bottom),
        180: (right, top),
        270: (left, top),
    }[rotation]
    shown = Transformation().rotate(rotation).translate(*corner)
    width, height = right - left, top - bottom
    if rotation in (90, 270):
        width, height = height, width
    margin = min(STAMP_LEFT, width * 0.08)
    size = min(STAMP_SIZE, (width - 2 * margin) / (max(len(text), 1) * STAMP_EM))
    foot = min(STAMP_FOOT, height * 0.02)
    matrix = " ".join(f"{round(value, 4):g}" for value in shown.ctm)
    line = text.encode("cp1252", "replace").hex()
    return (
        f"\nQ\nq {matrix} cm 0.55 g BT /PerformileWM {size:.2f} Tf"
        f" {margin:.1f} {foot:.1f} Td <{line}> Tj ET Q\n"
    ).encode("ascii")


def _visible_box(page) -> tuple[float, float, float, float]:
    """The part of the page a viewer shows: the crop box (pypdf's `cropbox`: the
    media box when there is none) within the media box, either written corner by
    corner in any order."""
    media, crop = _corners(page.mediabox), _corners(page.cropbox)
    left, bottom = max(crop[0], media[0]), max(crop[1], media[1])
    right, top = min(crop[2], media[2]), min(crop[3], media[3])
    return (left, bottom, right, top) if left < right and bottom < top else media


def _corners(box) -> tuple[float, float, float, float]:
    x1, y1, x2, y2 = (float(value) for value in box)
    return min(x1, x2), min(y1, y2), max(x1, x2), max(y1, y2)


def _stream(data: bytes) -> DecodedStreamObject:
    stream = DecodedStreamObject()
    stream.set_data(data)
    return stream


def _contents(page) -> list:
    """The page's content streams, as references (kept as they are)."""
    contents = page.get(NameObject("/Contents"))
    if contents is None:
        return []
    resolved = contents.get_object()
    return list(resolved) if isinstance(resolved, ArrayObject) else [contents]


def customer_copy(content: bytes, customer_number: str) -> bytes:
    """The customer's copy of a document: stamped with who downloaded it, when."""
    return watermark(content, customer_watermark(customer_number))


def customer_watermark(customer_number: str, at: datetime | None = None) -> str:
    at = timezone.localtime(at or timezone.now())
    return (
        f"Downloaded by customer {customer_number} on {at:%Y-%m-%d %H:%M %Z}"
        " · Performile customer copy"
    )


def order_confirmation_context(order) -> dict:
    """What an order confirmation prints: rendered on demand, never stored (an
    order still changes; an invoice does not)."""
    from invoices.models import BillingProfile
    from invoices.services.common import seller_snapshot

    profile = BillingProfile.objects.filter(merchant_id=order.merchant_id).first()
    seller = seller_snapshot(profile) if profile else {"name": order.merchant.name}
    lines = list(order.lines.all())
    return {
        "order": order,
        "seller": seller,
        "customer": order.customer,
        "address": order.delivery_address or {},
        "lines": lines,
        "lines_total": sum((line.total for line in lines), 0),
        "placed_at": timezone.localtime(order.placed_at, order.merchant.zone),
        "status": order.get_status_display(),
    }
