"""Files the team sends with a reply or keeps with an internal note: checked
(how many, how big, of an allowed type by their first bytes, not only their
name), stored under names nobody can guess, and recorded as the message's
attachments, like a customer's (messaging.services.inbound).

The files are stored before the message is written (the outbox row that
carries an email names them, and the message points at that row), so whatever
refuses the reply after that deletes them again: `stored_files`."""

import contextlib
import os
import secrets
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from django.core.files import File

from messaging.models import Attachment, Message
from performile.errors import ApplicationError

MAX_FILES = 5
MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_TOTAL_BYTES = 20 * 1024 * 1024
SNIFF_BYTES = 8192

JPEG = (b"\xff\xd8\xff",)
PNG = (b"\x89PNG\r\n\x1a\n",)
GIF = (b"GIF87a", b"GIF89a")
PDF = (b"%PDF-",)
ZIP = (b"PK\x03\x04",)  # docx, xlsx, pptx, odt, ods, odp
OLE = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",)  # doc, xls, ppt
HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"heim", b"heis", b"mif1", b"msf1"}


@dataclass(frozen=True)
class FileType:
    content_type: str
    kind: str  # what the refusal calls it
    starts: tuple[bytes, ...] = ()  # magic bytes; empty: checked by `sniff`


OFFICE = "an Office document"
TYPES = {
    "jpg": FileType("image/jpeg", "a JPEG image", JPEG),
    "jpeg": FileType("image/jpeg", "a JPEG image", JPEG),
    "png": FileType("image/png", "a PNG image", PNG),
    "gif": FileType("image/gif", "a GIF image", GIF),
    "webp": FileType("image/webp", "a WebP image"),
    "heic": FileType("image/heic", "a HEIC image"),
    "pdf": FileType("application/pdf", "a PDF", PDF),
    "txt": FileType("text/plain", "a text file"),
    "csv": FileType("text/csv", "a CSV file"),
    "doc": FileType("application/msword", OFFICE, OLE),
    "xls": FileType("application/vnd.ms-excel", OFFICE, OLE),
    "ppt": FileType("application/vnd.ms-powerpoint", OFFICE, OLE),
    "docx": FileType(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        OFFICE,
        ZIP,
    ),
    "xlsx": FileType(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        OFFICE,
        ZIP,
    ),
    "pptx": FileType(
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        OFFICE,
        ZIP,
    ),
    "odt": FileType("application/vnd.oasis.opendocument.text", OFFICE, ZIP),
    "ods": FileType("application/vnd.oasis.opendocument.spreadsheet", OFFICE, ZIP),
    "odp": FileType("application/vnd.oasis.opendocument.presentation", OFFICE, ZIP),
}
ALLOWED_TEXT = (
    "images (JPEG, PNG, GIF, WebP, HEIC), PDF, text and CSV, and Office documents"
    " (Word, Excel, PowerPoint, OpenDocument)"
)
LIMITS_TEXT = (
    f"At most {MAX_FILES} files, {MAX_FILE_BYTES // 2**20} MB each and"
    f" {MAX_TOTAL_BYTES // 2**20} MB in all: {ALLOWED_TEXT}."
)


@dataclass(frozen=True)
class CheckedFile:
    """An upload that may go: its clean name and the type its bytes are."""

    upload: File
    filename: str
    content_type: str
    size: int


@dataclass(frozen=True)
class StoredFile:
    name: str  # in the storage
    filename: str
    content_type: str
    size: int

    def outbox_entry(self) -> dict:
        """What an outbox row keeps of it (performile.senders.send_email)."""
        return {
            "name": self.name,
            "filename": self.filename,
            "content_type": self.content_type,
        }


def files_check(files: Sequence[File]) -> list[CheckedFile]:
    """The uploads, each named cleanly with the type its bytes are; an
    ApplicationError on `files` saying what is wrong when any may not go."""
    files = [upload for upload in files if upload is not None]
    if len(files) > MAX_FILES:
        _refuse(f"{len(files)} files is too many: at most {MAX_FILES} go with a reply.")
    checked = [_checked(upload) for upload in files]
    total = sum(file.size for file in checked)
    if total > MAX_TOTAL_BYTES:
        _refuse(
            f"The files come to {_megabytes(total)}: at most"
            f" {MAX_TOTAL_BYTES // 2**20} MB go with one reply."
        )
    return checked


def _checked(upload: File) -> CheckedFile:
    filename = clean_filename(upload.name or "")
    size = upload.size or 0
    if size > MAX_FILE_BYTES:
        _refuse(
            f"{filename} is {_megabytes(size)}: a file may be at most"
            f" {MAX_FILE_BYTES // 2**20} MB."
        )
    if size == 0:
        _refuse(f"{filename} is empty.")
    extension = os.path.splitext(filename)[1].lower().lstrip(".")
    file_type = TYPES.get(extension)
    if file_type is None:
        _refuse(
            f"{filename}: files of this type cannot be sent. Allowed: {ALLOWED_TEXT}."
        )
    if not _is(file_type, extension, _head(upload)):
        _refuse(f"{filename} is not {file_type.kind}, whatever its name says.")
    return CheckedFile(upload, filename, file_type.content_type, size)


def _is(file_type: FileType, extension: str, head: bytes) -> bool:
    if file_type.starts:
        return head.startswith(file_type.starts)
    if extension == "webp":
        return head[:4] == b"RIFF" and head[8:12] == b"WEBP"
    if extension == "heic":
        return head[4:8] == b"ftyp" and head[8:12] in HEIF_BRANDS
    return b"\x00" not in head  # text: no binary file passes as one


def _head(upload: File) -> bytes:
    upload.seek(0)
    head = upload.read(SNIFF_BYTES)
    upload.seek(0)
    return head


def clean_filename(name: str) -> str:
    """The file's own name, without a path or control characters, that fits
    its column with its extension kept."""
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C").strip()
    stem, extension = os.path.splitext(name.strip(". ") or "attachment")
    return stem[: 200 - len(extension[:20])] + extension[:20]


def _megabytes(size: int) -> str:
    return f"{size / 2**20:.1f} MB"


def _refuse(message: str):
    raise ApplicationError(message, fields={"files": [message]})


@contextlib.contextmanager
def stored_files(files: Sequence[CheckedFile]) -> Iterator[list[StoredFile]]:
    """The files saved to the attachments' storage for the block; deleted again
    when the block raises, so a refused reply leaves no file behind."""
    storage = _storage()
    stored: list[StoredFile] = []
    try:
        for file in files:
            name = f"messages/sent/{secrets.token_urlsafe(16)}/{file.filename}"
            file.upload.seek(0)
            stored.append(
                StoredFile(
                    storage.save(name, file.upload),
                    file.filename,
                    file.content_type,
                    file.size,
                )
            )
        yield stored
    except BaseException:
        for file in stored:
            storage.delete(file.name)
        raise


def attachments_record(message: Message, stored: Sequence[StoredFile]) -> None:
    """The stored files as the message's attachments (written once: immutable)."""
    Attachment.objects.bulk_create(
        Attachment(
            message=message,
            file=file.name,
            filename=file.filename,
            content_type=file.content_type,
            size=file.size,
        )
        for file in stored
    )


def _storage():
    return Attachment._meta.get_field("file").storage
