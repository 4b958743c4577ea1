"""Checking uploaded consent documents: the type is read from the content (magic bytes), not the name."""

from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import File

CHUNK = 64 * 1024


@dataclass(frozen=True)
class FileKind:
    content_type: str
    extension: str
    magic: bytes


PDF = FileKind("application/pdf", "pdf", b"%PDF-")
PNG = FileKind("image/png", "png", b"\x89PNG\r\n\x1a\n")
JPEG = FileKind("image/jpeg", "jpg", b"\xff\xd8\xff")

#: What a signed consent may be: a scan (PDF) or a photo of the signed paper.
SIGNED_CONSENT_KINDS = (PDF, PNG, JPEG)
#: A blank form to print is a PDF.
BLANK_FORM_KINDS = (PDF,)


def max_upload_bytes() -> int:
    return int(settings.CONSENT_MAX_UPLOAD_MB) * 1024 * 1024


def file_size(upload: File) -> int:
    size = getattr(upload, "size", None)
    if size is None:
        upload.seek(0, 2)
        size = upload.tell()
        upload.seek(0)
    return int(size)


def sniff(upload: File, kinds: tuple[FileKind, ...]) -> FileKind | None:
    """The kind whose signature starts the content, or None (HTML, executables, anything else)."""
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if isinstance(head, str):  # a text-mode file is never a document
        return None
    for kind in kinds:
        if head.startswith(kind.magic):
            return kind
    return None
