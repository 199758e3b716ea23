"""The export as a zip: `customer.json`, a short README, the documents and the
attachments. Written to a temporary file that stays in memory up to SPOOL_BYTES
and goes to disk beyond, so a customer with many attachments costs disk, not
memory; the response then sends the file in chunks."""

import json
import tempfile
import zipfile
from dataclasses import dataclass

from django.core.serializers.json import DjangoJSONEncoder

from privacy.export import ExportContent

SPOOL_BYTES = 8 * 1024 * 1024
# Already compressed: deflating them again costs time and gains nothing.
STORED_SUFFIXES = (".pdf", ".jpg", ".jpeg", ".png", ".gif", ".zip", ".mp4", ".ogg")

README = """\
Your personal data at {merchant}, exported {exported_at:%Y-%m-%d %H:%M} UTC.

customer.json   everything we hold about you: your details, sign-in, notification
                choices, delivery addresses, orders (items, timeline, shipments and
                tracking), messages, invoices, credit notes, payments, statements,
                your requests about your data, and the record of what was done
                with your data.
documents/      your invoices, credit notes and statements (PDF, your copy).
attachments/    the files that came with your messages.
"""


@dataclass
class Archive:
    file: tempfile.SpooledTemporaryFile
    size: int
    documents: int
    missing: list[str]  # files the export lists but storage no longer has


def archive_write(content: ExportContent) -> Archive:
    """The zip of `content`, rewound, ready to send."""
    out = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115
    missing = []
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        data = content.data
        archive.writestr("README.txt", README.format(**data))
        for file in content.files:
            payload = file.read()
            if payload is None:
                missing.append(file.path)
                continue
            stored = file.path.lower().endswith(STORED_SUFFIXES)
            archive.writestr(
                file.path,
                payload,
                compress_type=zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED,
            )
        data["missing_files"] = missing
        archive.writestr(
            "customer.json",
            json.dumps(data, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False),
        )
    size = out.tell()
    out.seek(0)
    return Archive(
        file=out,
        size=size,
        documents=len(content.files) - len(missing),
        missing=missing,
    )
