"""The files of an export: where each goes in the zip and how it is read."""

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePosixPath

from django.core.exceptions import SuspiciousFileOperation
from django.utils.text import get_valid_filename


@dataclass(frozen=True)
class ExportFile:
    """A file of the zip: its path there, and how to read its bytes (None when the
    stored file is gone)."""

    path: str
    read: Callable[[], bytes | None]


def safe_name(name: str) -> str:
    """A file name that stays a name inside the zip (no folders, no "..")."""
    try:
        return get_valid_filename(PurePosixPath(name.replace("\\", "/")).name)[:150]
    except SuspiciousFileOperation:  # nothing usable left of it
        return "file"


def stored(field) -> Callable[[], bytes | None]:
    """How to read a stored file field when the zip is written."""

    def read() -> bytes | None:
        if not field:
            return None
        try:
            with field.open("rb") as handle:
                return handle.read()
        except FileNotFoundError:
            return None

    return read
