"""Files kept across a form's validation error, so that nobody has to choose the file again.

A browser forgets the chosen file when a form comes back with an error. A form that takes a file and other
fields (`KeptUploadsFormMixin`) keeps a valid file in storage instead, under a random name, and puts a
signed token in a hidden field. The token names the stored file, the file's name and type, and whom it
belongs to: the user and (a digest of) their session. It is honoured for `MAX_AGE_HOURS` only, and only
for the same user in the same session; the page shows "consent.pdf kept: choose another to replace it".
Kept files are removed when used, when replaced, and by the sweep (`kept_uploads_sweep`) once older than
`MAX_AGE_HOURS`, which runs whenever a file is kept.
"""

import hashlib
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django import forms
from django.core import signing
from django.core.files import File
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

#: Where kept files live in the default storage, one folder per hour (the sweep removes whole hours).
ROOT = "kept-uploads"
#: How long a kept file can be used, and when the sweep removes it.
MAX_AGE_HOURS = 6
_SALT = "concilium.kept-upload"
_HOUR_FORMAT = "%Y%m%d%H"


@dataclass(frozen=True)
class KeptOwner:
    """Whom a kept file belongs to: a user, in one session."""

    user_id: int
    session_key: str

    @property
    def session_digest(self) -> str:
        return hashlib.sha256(f"kept:{self.session_key}".encode()).hexdigest()[:32]

    @classmethod
    def of(cls, request: Any) -> "KeptOwner | None":
        """The signed-in user of `request` in its session (None without either)."""
        user_id = getattr(request.user, "pk", None)
        session_key = getattr(request.session, "session_key", None)
        if user_id is None or not session_key:
            return None
        return cls(user_id=user_id, session_key=session_key)


@dataclass(frozen=True)
class KeptUpload:
    token: str
    path: str
    name: str
    content_type: str
    size: int

    def open(self) -> UploadedFile:
        """The kept file, as an upload (its original name and type) that the services read like any other."""
        handle = default_storage.open(self.path, "rb")
        return UploadedFile(
            file=handle, name=self.name, content_type=self.content_type, size=self.size, charset=None
        )


def upload_keep(upload: UploadedFile, *, owner: KeptOwner) -> KeptUpload:
    """Store `upload` for `owner` and return it with the token that finds it again."""
    kept_uploads_sweep()
    hour = timezone.now().astimezone(UTC).strftime(_HOUR_FORMAT)
    upload.seek(0)
    path = default_storage.save(f"{ROOT}/{hour}/{uuid.uuid4().hex}", File(upload))
    name = str(upload.name or "")[-200:]
    content_type = str(getattr(upload, "content_type", "") or "application/octet-stream")
    size = int(upload.size or 0)
    token = signing.dumps(
        {"p": path, "n": name, "t": content_type, "s": size, "u": owner.user_id, "k": owner.session_digest},
        salt=_SALT,
        compress=True,
    )
    return KeptUpload(token=token, path=path, name=name, content_type=content_type, size=size)


def upload_kept(token: str, *, owner: KeptOwner) -> KeptUpload | None:
    """The kept file named by `token`, if it is `owner`'s, recent enough and still stored; else None."""
    if not token:
        return None
    try:
        data = signing.loads(token, salt=_SALT, max_age=timedelta(hours=MAX_AGE_HOURS))
    except signing.BadSignature:  # tampered with, or expired
        return None
    if data.get("u") != owner.user_id or data.get("k") != owner.session_digest:
        return None
    path = str(data.get("p", ""))
    if not path.startswith(f"{ROOT}/") or not default_storage.exists(path):
        return None
    return KeptUpload(
        token=token, path=path, name=str(data["n"]), content_type=str(data["t"]), size=int(data["s"])
    )


def upload_discard(kept: KeptUpload) -> None:
    default_storage.delete(kept.path)


def kept_uploads_sweep(*, now: datetime | None = None) -> int:
    """Remove the kept files of every hour older than `MAX_AGE_HOURS`; returns how many were removed."""
    cutoff = (now or timezone.now()).astimezone(UTC) - timedelta(hours=MAX_AGE_HOURS + 1)
    try:
        hours, _files = default_storage.listdir(ROOT)
    except FileNotFoundError:
        return 0
    removed = 0
    for hour in hours:
        try:
            started = datetime.strptime(hour, _HOUR_FORMAT).replace(tzinfo=UTC)
        except ValueError:
            continue
        if started >= cutoff:
            continue
        _dirs, files = default_storage.listdir(f"{ROOT}/{hour}")
        for name in files:
            default_storage.delete(f"{ROOT}/{hour}/{name}")
            removed += 1
        default_storage.delete(f"{ROOT}/{hour}")  # the folder, where the storage has folders
    return removed


class KeptUploadsFormMixin(forms.Form):
    """A form whose file fields (`kept_file_fields`) survive its other fields' errors.

    Pass `kept_owner=KeptOwner.of(request)`. After a failed submission, call `keep_uploads()` before
    rendering: each valid file is kept and the form shows it as kept (`kept`); submitted again without a new
    file, the kept one stands in. Call `discard_kept_uploads()` once the files were saved for good."""

    kept_file_fields: tuple[str, ...] = ()

    def __init__(self, *args: Any, kept_owner: KeptOwner | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kept_owner = kept_owner
        self.kept: dict[str, KeptUpload] = {}
        self._replaced: list[KeptUpload] = []
        self._opened: list[UploadedFile] = []
        for name in self.kept_file_fields:
            self.fields[f"{name}_kept"] = forms.CharField(required=False, widget=forms.HiddenInput)
            if not (self.is_bound and kept_owner is not None):
                continue
            kept = upload_kept(str(self.data.get(f"{name}_kept", "")), owner=kept_owner)
            if kept is not None and self.files.get(name):  # a new file replaces the kept one
                self._replaced.append(kept)
            elif kept is not None:
                self._show_kept(name, kept)

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        for name, kept in self.kept.items():
            if not cleaned.get(name) and name not in self.errors:
                cleaned[name] = kept.open()
                self._opened.append(cleaned[name])
        return cleaned

    def keep_uploads(self) -> None:
        """After a failed submission: keep each valid new file (replacing one kept before), forget a file
        that was itself at fault, and show what is kept."""
        if self.kept_owner is None or not self.is_bound:
            return
        data = self.data.copy()  # type: ignore[attr-defined]  # a bound form's data is a QueryDict
        for name in self.kept_file_fields:
            previous = self.kept.get(name)
            fresh = self.files.get(name)
            if name in self.errors:  # the file itself was refused (a new one, or the kept one): not kept
                if previous is not None and fresh is None:
                    upload_discard(previous)
                    del self.kept[name]
                data[f"{name}_kept"] = ""
                continue
            if fresh is None:
                continue
            for replaced in [*self._replaced, *([previous] if previous is not None else [])]:
                upload_discard(replaced)
            self._replaced = []
            kept = upload_keep(fresh, owner=self.kept_owner)
            data[f"{name}_kept"] = kept.token
            self._show_kept(name, kept)
        self.data = data

    def _show_kept(self, name: str, kept: KeptUpload) -> None:
        """The field no longer needs a file, and says which one is kept."""
        self.kept[name] = kept
        self.fields[name].required = False
        self.fields[name].help_text = _("%(name)s is kept: choose another file to replace it.") % {
            "name": kept.name
        }
        # A bound field copies its help text when first made: make it afresh.
        self._bound_fields_cache.pop(name, None)  # type: ignore[attr-defined]  # django-stubs omit it

    def discard_kept_uploads(self) -> None:
        """Once the files are saved for good: remove the kept copies (and any a new file replaced)."""
        for opened in self._opened:
            opened.close()
        for kept in [*self.kept.values(), *self._replaced]:
            upload_discard(kept)
        self.kept, self._replaced, self._opened = {}, [], []
