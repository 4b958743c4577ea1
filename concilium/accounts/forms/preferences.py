"""The form of a person's own preferences: the language of their pages, emails and in-app notices."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from concilium.accounts.languages import language_choices
from concilium.core.forms import StyledFormMixin


class LanguageForm(StyledFormMixin, forms.Form):
    language = forms.ChoiceField(
        label=_("Language"),
        help_text=_("Concilium's pages, its emails and your notifications are written in this language."),
        error_messages={"invalid_choice": _("Choose one of the listed languages.")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["language"]
        field.choices = language_choices()
        self.style_widgets()
