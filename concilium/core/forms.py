"""Form helpers shared by every app: text with NUL or control characters is a form error, never a 500."""

import unicodedata
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import ProhibitNullCharactersValidator
from django.utils.translation import gettext_lazy as _

#: Control characters a multi-line field (a textarea) may hold: tab, line feed and carriage return.
MULTILINE_ALLOWED = frozenset("\t\n\r")
#: Control characters a one-line field may hold: tab only (a pasted value may carry one).
SINGLE_LINE_ALLOWED = frozenset("\t")


def find_control_character(value: str, *, allowed: frozenset[str] = MULTILINE_ALLOWED) -> str | None:
    """The first NUL, control character (C0, DEL, C1) or lone surrogate in `value` not allowed, or None."""
    for ch in value:
        if ch not in allowed and unicodedata.category(ch) in {"Cc", "Cs"}:
            return ch
    return None


class NoControlCharactersValidator:
    """Reject text holding NUL or control characters other than the allowed ones."""

    message = _("Remove the control characters (such as NUL) from this text.")
    code = "control_characters"

    def __init__(self, *, multiline: bool = True) -> None:
        self.allowed = MULTILINE_ALLOWED if multiline else SINGLE_LINE_ALLOWED

    def __call__(self, value: object) -> None:
        if isinstance(value, str) and find_control_character(value, allowed=self.allowed) is not None:
            raise ValidationError(self.message, code=self.code)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, NoControlCharactersValidator) and other.allowed == self.allowed

    def __hash__(self) -> int:
        return hash(self.allowed)


class CleanTextFormMixin:
    """Add `NoControlCharactersValidator` to every CharField (EmailField, SlugField, ... included) of a form.

    Textareas may hold tab, newline and carriage return; one-line inputs only tab. Put the mixin first:
    `class MyForm(CleanTextFormMixin, forms.Form)`.
    """

    fields: dict[str, forms.Field]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, forms.CharField):
                multiline = isinstance(field.widget, forms.Textarea)
                validator = NoControlCharactersValidator(multiline=multiline)
                # Ours covers NUL too; dropping Django's own NUL check avoids two messages for one problem.
                # self.fields holds per-form copies, so this never touches the class's base_fields.
                kept = [
                    v
                    for v in field.validators
                    if not isinstance(v, ProhibitNullCharactersValidator | NoControlCharactersValidator)
                ]
                field.validators = [*kept, validator]
