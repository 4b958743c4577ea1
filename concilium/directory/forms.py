"""The directory's search form (GET, bookmarkable): all optional; invalid values are ignored, with a note."""

from collections.abc import Callable, Iterable
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from concilium.core.forms import NoControlCharactersValidator
from concilium.directory.selectors import MAX_PAGE, FilterOptions


class OptionField(forms.Field):
    """One of the filter's options, or nothing. Lighter than ChoiceField, whose long choice lists would be
    normalised again on every keystroke."""

    default_error_messages = {
        "invalid_choice": _("Select a valid choice. %(value)s is not one of the available choices."),
    }

    def __init__(self, *, coerce: Callable[[str], Any] = str, **kwargs: Any) -> None:
        super().__init__(required=False, **kwargs)
        self.coerce = coerce
        self.options: list[tuple[str, str]] = []
        self.keys: frozenset[str] = frozenset()

    def set_options(self, options: Iterable[tuple[object, str]]) -> None:
        self.options = [(str(key), label) for key, label in options]
        self.keys = frozenset(key for key, _label in self.options)

    def to_python(self, value: Any) -> Any:
        if value in self.empty_values:
            return None
        if str(value) not in self.keys:
            raise ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice", params={"value": value}
            )
        return self.coerce(str(value))


class DirectorySearchForm(forms.Form):
    q = forms.CharField(
        label=_("Name"),
        required=False,
        max_length=100,
        validators=[NoControlCharactersValidator(multiline=False)],
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "class": "form-control",
                "placeholder": _("Search by name"),
                "autocomplete": "off",
                "spellcheck": "false",
            }
        ),
    )
    specialty = OptionField(label=_("Specialty"), coerce=int)
    country = OptionField(label=_("Country"))
    language = OptionField(label=_("Language"))
    network = OptionField(label=_("Network"), coerce=int)
    page = forms.IntegerField(required=False, min_value=1, max_value=MAX_PAGE, widget=forms.HiddenInput)

    def __init__(self, data: Any, *, options: FilterOptions) -> None:
        super().__init__(data)
        cast(OptionField, self.fields["specialty"]).set_options(options.specialties)
        cast(OptionField, self.fields["country"]).set_options(options.countries)
        cast(OptionField, self.fields["language"]).set_options(options.languages)
        cast(OptionField, self.fields["network"]).set_options(options.networks)
        if self.errors.get("q"):
            self.fields["q"].widget.attrs.update({"aria-invalid": "true", "aria-describedby": "id_q_error"})

    def filters(self) -> dict[str, Any]:
        """The valid filters as keyword arguments of `clinician_search`; invalid ones are left out."""
        self.is_valid()
        data = self.cleaned_data
        return {
            "name": data.get("q") or "",
            "specialty_id": data.get("specialty"),
            "country": data.get("country") or "",
            "language": data.get("language") or "",
            "network_id": data.get("network"),
        }

    def page_number(self) -> int:
        self.is_valid()
        return self.cleaned_data.get("page") or 1

    @property
    def is_filtered(self) -> bool:
        return any(value for value in self.filters().values())
