"""The audit log's search form (GET, bookmarkable): all fields optional; an invalid filter shows no events."""

from datetime import date
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from concilium.audit.models import Outcome
from concilium.audit.selectors import MAX_PAGE
from concilium.core.forms import CleanTextFormMixin
from concilium.core.text import find_control_character

FILTER_FIELDS = (
    "who",
    "action",
    "object_type",
    "object_id",
    "patient_ref",
    "outcome",
    "date_from",
    "date_to",
)


class AuditSearchForm(CleanTextFormMixin, forms.Form):
    who = forms.CharField(
        label=_("Actor"),
        required=False,
        max_length=254,
        help_text=_("User id or email address; end with * to match the start."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    action = forms.ChoiceField(label=_("Action"), required=False)
    object_type = forms.CharField(
        label=_("Object type"),
        required=False,
        max_length=80,
        widget=forms.TextInput(attrs={"placeholder": "accounts.user", "spellcheck": "false"}),
    )
    object_id = forms.CharField(label=_("Object id"), required=False, max_length=64)
    patient_ref = forms.CharField(label=_("Patient"), required=False, max_length=64)
    outcome = forms.ChoiceField(label=_("Outcome"), required=False)
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    page = forms.IntegerField(required=False, min_value=1, max_value=MAX_PAGE, widget=forms.HiddenInput)

    def __init__(self, data: Any, *, actions: list[tuple[str, list[tuple[str, str]]]]) -> None:
        super().__init__(data)
        action_field: Any = self.fields["action"]
        action_field.choices = [("", _("Any")), *actions]
        requested = str(self.data.get("action", ""))
        if requested and requested not in {value for _group, options in actions for value, _label in options}:
            # An action missing from the (cached) list is still a valid exact search.
            action_field.choices = [*action_field.choices, (requested, requested)]
        outcome_field: Any = self.fields["outcome"]
        outcome_field.choices = [("", _("Any")), *Outcome.choices]
        for name, field in self.fields.items():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)
            if name in self.errors:
                field.widget.attrs["aria-invalid"] = "true"
                field.widget.attrs["aria-describedby"] = f"id_{name}_error"

    def clean_action(self) -> str:
        value: str = self.cleaned_data.get("action", "")
        if len(value) > 80 or find_control_character(value, allowed=frozenset()) is not None:
            raise ValidationError(_("Choose an action from the list."), code="invalid_action")
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start: date | None = data.get("date_from")
        end: date | None = data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end date is before the start date."))
        return data

    def filters(self) -> dict[str, Any]:
        """The filters as keyword arguments of `audit_event_search` (call only on a valid form)."""
        return {
            name: self.cleaned_data.get(name) or ("" if name not in {"date_from", "date_to"} else None)
            for name in FILTER_FIELDS
        }

    def used_filters(self) -> list[str]:
        """The names of the filters in use (recorded when the log is read; the values may be personal)."""
        return [name for name in FILTER_FIELDS if self.cleaned_data.get(name)]

    def page_number(self) -> int:
        return self.cleaned_data.get("page") or 1
