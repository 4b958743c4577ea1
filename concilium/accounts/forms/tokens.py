"""The form that creates a personal API token: a name, its scopes and an optional lifetime of up to a year."""

from datetime import datetime, timedelta
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from concilium.accounts.models import TokenScope
from concilium.core.forms import CleanTextFormMixin

#: Lifetimes offered, in days; "" keeps the token until it is revoked.
LIFETIME_CHOICES = [
    ("30", _("30 days")),
    ("90", _("90 days")),
    ("180", _("180 days")),
    ("365", _("1 year")),
    ("", _("No expiry (until revoked)")),
]


class ApiTokenForm(CleanTextFormMixin, forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("What the token is for, e.g. “PACS upload script”."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    scopes = forms.MultipleChoiceField(
        label=_("Scopes"),
        choices=TokenScope.choices,
        widget=forms.CheckboxSelectMultiple,
        initial=[TokenScope.READ],
        help_text=_("Give the token only what it needs."),
        error_messages={"required": _("Choose at least one scope.")},
    )
    lifetime = forms.TypedChoiceField(
        label=_("Expires"),
        choices=LIFETIME_CHOICES,
        coerce=int,
        empty_value=None,
        required=False,
        initial="90",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["name"].widget.attrs.setdefault("class", "form-control")
        self.fields["lifetime"].widget.attrs.setdefault("class", "form-select")
        self.fields["scopes"].widget.attrs.setdefault("class", "form-check-input")
        for name in self.errors:
            if name in self.fields:
                self.fields[name].widget.attrs["aria-invalid"] = "true"
                self.fields[name].widget.attrs["aria-describedby"] = f"id_{name}_error"

    def expires_at(self, now: datetime | None = None) -> datetime | None:
        """The expiry chosen, counted from now (call on a valid form)."""
        days: int | None = self.cleaned_data.get("lifetime")
        return None if days is None else (now or timezone.now()) + timedelta(days=days)
