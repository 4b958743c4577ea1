"""Form helpers shared by every app: the text rule on every text field (a form error, never a 500) and
Bootstrap styling with accessible error markup."""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import ProhibitNullCharactersValidator
from django.utils.translation import gettext_lazy as _

from concilium.core.errors import DomainError
from concilium.core.text import MULTILINE_ALLOWED, SINGLE_LINE_ALLOWED, find_control_character


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


class StyledFormMixin:
    """Bootstrap classes on every widget, and aria-invalid / aria-describedby on fields with errors."""

    fields: dict[str, forms.Field]
    _errors: Any

    def style_widgets(self) -> None:
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput | forms.RadioSelect):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs.setdefault("class", css)

    def apply_error(self, error: DomainError) -> None:
        """Show a service's refusal on the field it names (or on the whole form), marked for assistive
        technology: the one way a view shows a `DomainError` in a form."""
        field = error.field if error.field in self.fields else None
        self.add_error(field, ValidationError(error.message, code=error.code))  # type: ignore[attr-defined]  # a forms.Form method
        if field:
            self.fields[field].widget.attrs["aria-invalid"] = "true"
            self.fields[field].widget.attrs["aria-describedby"] = f"id_{field}_error"

    def full_clean(self) -> None:
        super().full_clean()  # type: ignore[misc]  # a mixin: forms.Form comes later in the MRO
        for name in self._errors or {}:
            field = self.fields.get(name)
            if field is not None:
                described = [f"id_{name}_error"] + ([f"id_{name}_helptext"] if field.help_text else [])
                field.widget.attrs["aria-invalid"] = "true"
                css = field.widget.attrs.get("class", "")
                if "is-invalid" not in css.split():
                    field.widget.attrs["class"] = f"{css} is-invalid".strip()
                field.widget.attrs["aria-describedby"] = " ".join(described)


class StyledForm(StyledFormMixin, CleanTextFormMixin, forms.Form):
    """A form with Bootstrap-styled widgets and the text rule on every text field."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.style_widgets()
