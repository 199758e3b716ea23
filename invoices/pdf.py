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
from pypdf import PdfReader, PdfWriter
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


def watermark(pdf: bytes, text: str) -> bytes:
    """`pdf` with `text` stamped in small grey type along the foot of every page,
    as real text (extractable, searchable). Costs milliseconds: the pages are not
    rendered again."""
    reader = PdfReader(io.BytesIO(pdf))
    writer = PdfWriter(clone_from=reader)
    font = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Font"),
            NameObject("/Subtype"): NameObject("/Type1"),
            NameObject("/BaseFont"): NameObject("/Helvetica"),
            NameObject("/Encoding"): NameObject("/WinAnsiEncoding"),
        }
    )
    safe = (
        text.encode("cp1252", "replace")
        .decode("latin-1")
        .replace("\\", "\\\\")
        .replace("(", "\\(")
        .replace(")", "\\)")
    )
    for page in writer.pages:
        resources = page.setdefault(NameObject("/Resources"), DictionaryObject())
        resources = resources.get_object()
        fonts = resources.setdefault(NameObject("/Font"), DictionaryObject())
        fonts.get_object()[NameObject("/PerformileWM")] = writer._add_object(font)
        left = float(page.mediabox.left) + 36
        bottom = float(page.mediabox.bottom) + 14
        stream = DecodedStreamObject()
        stream.set_data(
            f"q 0.55 g BT /PerformileWM 7 Tf {left:.1f} {bottom:.1f} Td ({safe}) Tj ET Q".encode(
                "latin-1"
            )
        )
        contents = page.get(NameObject("/Contents"))
        existing = contents.get_object() if contents is not None else None
        parts = (
            list(existing)
            if isinstance(existing, ArrayObject)
            else ([contents] if contents is not None else [])
        )
        parts.append(writer._add_object(stream))
        page[NameObject("/Contents")] = ArrayObject(parts)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


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
    from invoices.services.common import merchant_zone, seller_snapshot

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
        "placed_at": timezone.localtime(order.placed_at, merchant_zone(order.merchant)),
        "status": order.get_status_display(),
    }
