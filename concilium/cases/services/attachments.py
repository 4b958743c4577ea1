"""Case attachments: PDF, PNG, JPEG, DOCX and ODT, recognised by their content (magic bytes), size-limited,
stored under a random name through Django's storage; the original name is kept, sanitised, for display."""

import hashlib
import io
import os
import re
import unicodedata
import uuid
import zipfile
from dataclasses import dataclass
from typing import IO, Any, cast

from django.conf import settings
from django.core.files.base import File
from django.db import transaction
from django.utils.translation import gettext as _

from concilium.audit.services import audit_record
from concilium.cases.models import Case, CaseAttachment
from concilium.cases.permissions import CaseAction
from concilium.cases.services import CaseTransitionError, case_lock, case_require, text_problem
from concilium.cases.services.templates import template_for
from concilium.core.errors import ErrorKind, register_codes
from concilium.core.text import has_control_characters

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ODT = "application/vnd.oasis.opendocument.text"


@dataclass(frozen=True)
class Sniffed:
    kind: str  # CaseAttachment.Kind
    content_type: str
    extension: str


def max_bytes() -> int:
    return int(settings.CASE_ATTACHMENT_MAX_MB) * 1024 * 1024


def _zip_document(stream: IO[bytes]) -> Sniffed | None:
    """A DOCX (an Office Open XML package with word/document.xml) or an ODT (its `mimetype` entry says so)."""
    try:
        with zipfile.ZipFile(stream) as archive:
            names = set(archive.namelist())
            if "[Content_Types].xml" in names and "word/document.xml" in names:
                return Sniffed(CaseAttachment.Kind.DOCUMENT, DOCX, ".docx")
            if "mimetype" in names:
                info = archive.getinfo("mimetype")
                if info.file_size <= 100 and archive.read("mimetype").strip() == ODT.encode():
                    return Sniffed(CaseAttachment.Kind.DOCUMENT, ODT, ".odt")
    except (zipfile.BadZipFile, KeyError, OSError, RuntimeError, ValueError, NotImplementedError):
        return None
    return None


def sniff(stream: IO[bytes]) -> Sniffed | None:
    """The file's type from its first bytes (and, for zip-based documents, its structure), or None."""
    stream.seek(0)
    head = stream.read(16)
    stream.seek(0)
    if head.startswith(b"%PDF-"):
        return Sniffed(CaseAttachment.Kind.PDF, "application/pdf", ".pdf")
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return Sniffed(CaseAttachment.Kind.IMAGE, "image/png", ".png")
    if head.startswith(b"\xff\xd8\xff"):
        return Sniffed(CaseAttachment.Kind.IMAGE, "image/jpeg", ".jpg")
    if head.startswith(b"PK\x03\x04"):
        found = _zip_document(stream)
        stream.seek(0)
        return found
    return None


_UNSAFE = re.compile(r"[^\w.\- ()]+")


def sanitize_name(name: str, extension: str) -> str:
    """A display name without path parts, control characters or odd symbols, with the sniffed extension."""
    base = os.path.basename(str(name).replace("\\", "/"))
    base = unicodedata.normalize("NFC", base)
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C")
    stem, _ext = os.path.splitext(base)
    stem = _UNSAFE.sub("_", stem).strip(" ._") or "attachment"
    return f"{stem[: 200 - len(extension)]}{extension}"


def _digest(stream: IO[bytes]) -> tuple[str, int]:
    stream.seek(0)
    sha, size = hashlib.sha256(), 0
    for chunk in iter(lambda: stream.read(64 * 1024), b""):
        sha.update(chunk)
        size += len(chunk)
    stream.seek(0)
    return sha.hexdigest(), size


#: Codes of a refused file: the same kinds of mistake as a patient's signed document (patients.errors).
FILE_EMPTY = "file_empty"
FILE_TOO_LARGE = "file_too_large"
FILE_TYPE_NOT_ALLOWED = "file_type_not_allowed"
FILE_NAME_INVALID = "file_name_invalid"
register_codes(
    {
        FILE_EMPTY: ErrorKind.INVALID,
        FILE_TOO_LARGE: ErrorKind.TOO_LARGE,
        FILE_TYPE_NOT_ALLOWED: ErrorKind.INVALID,
        FILE_NAME_INVALID: ErrorKind.INVALID,
    }
)


def _refused_file(code: str, message: str) -> CaseTransitionError:
    return CaseTransitionError(code, message, missing=["file"])


@transaction.atomic
def attachment_add(
    *,
    case: Case,
    actor: Any,
    upload: Any,
    description: str = "",
    checklist_key: str = "",
) -> CaseAttachment:
    """Add a file to a case the actor may edit; refuses unknown types, disguised files and oversized ones."""
    case = case_lock(case)
    case_require(actor=actor, action=CaseAction.ATTACH, case=case)
    if has_control_characters(str(getattr(upload, "name", "") or "")):
        raise _refused_file(
            FILE_NAME_INVALID,
            _("The file's name holds control characters (such as NUL): rename the file and attach it again."),
        )
    size = getattr(upload, "size", None)
    if size is not None and size > max_bytes():
        raise _refused_file(
            FILE_TOO_LARGE,
            _("The file is too large: at most %(mb)d MB.") % {"mb": settings.CASE_ATTACHMENT_MAX_MB},
        )
    stream: IO[bytes] = upload.file if hasattr(upload, "file") else io.BytesIO(upload.read())
    sha256, real_size = _digest(stream)
    if real_size == 0:
        raise _refused_file(FILE_EMPTY, _("The file is empty."))
    if real_size > max_bytes():
        raise _refused_file(
            FILE_TOO_LARGE,
            _("The file is too large: at most %(mb)d MB.") % {"mb": settings.CASE_ATTACHMENT_MAX_MB},
        )
    found = sniff(stream)
    if found is None:
        raise _refused_file(
            FILE_TYPE_NOT_ALLOWED,
            _("Only PDF, PNG, JPEG, DOCX and ODT files can be attached (checked on their content)."),
        )
    description = str(description or "").strip()
    problem = text_problem(description, limit=200)
    if problem:
        raise CaseTransitionError(CaseTransitionError.INVALID, problem, missing=["description"])
    checklist_key = str(checklist_key or "").strip()
    if checklist_key:
        keys = {i["key"] for i in template_for(case.group).checklist if i.get("kind") == "attachment"}
        if checklist_key not in keys:
            raise CaseTransitionError(
                CaseTransitionError.INVALID, _("Unknown checklist item."), missing=["checklist_key"]
            )
    attachment = CaseAttachment(
        case=case,
        name=sanitize_name(getattr(upload, "name", "") or "attachment", found.extension),
        description=description,
        kind=found.kind,
        content_type=found.content_type,
        size=real_size,
        sha256=sha256,
        checklist_key=checklist_key,
        uploaded_by=actor,
    )
    # Stored under a random name: the original name may say something about the patient.
    attachment.file.save(f"{uuid.uuid4().hex}{found.extension}", File(stream), save=False)
    stored = cast(str, attachment.file.name)  # just saved: named
    try:
        attachment.save()
        audit_record(
            action="attachment.upload",
            actor=actor,
            obj=attachment,
            patient_ref=case.patient.pseudonym,
            detail={"case": case.pk, "kind": found.kind, "size": real_size, "checklist_key": checklist_key},
        )
    except Exception:
        attachment.file.storage.delete(stored)  # nothing half-written: no file without its row
        raise
    return attachment


@transaction.atomic
def attachment_remove(*, attachment: CaseAttachment, actor: Any) -> None:
    """Remove a file from a draft case (its stored file goes after the commit)."""
    case = case_lock(attachment.case)
    case_require(actor=actor, action=CaseAction.REMOVE_ATTACHMENT, case=case)
    storage, name = attachment.file.storage, cast(str, attachment.file.name)  # the file is required
    audit_record(
        action="attachment.remove",
        actor=actor,
        obj=attachment,
        patient_ref=case.patient.pseudonym,
        detail={"case": case.pk, "sha256": attachment.sha256},
    )
    attachment.delete()
    transaction.on_commit(lambda: storage.delete(name))


def attachment_download_record(*, attachment: CaseAttachment, actor: Any) -> None:
    """Audit a download (the view or API checked the actor may view the case)."""
    audit_record(
        action="attachment.download",
        actor=actor,
        obj=attachment,
        patient_ref=attachment.case.patient.pseudonym,
        detail={"case": attachment.case_id},
    )
