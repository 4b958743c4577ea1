"""The network admin's forms on an account: change its role, or suspend it with a reason."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from concilium.core.forms import CleanTextFormMixin
from concilium.core.roles import Role


class RoleChangeForm(forms.Form):
    role = forms.ChoiceField(label=_("New role"), choices=Role.choices)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["role"].widget.attrs["class"] = "form-select"


class SuspendForm(CleanTextFormMixin, forms.Form):
    reason = forms.CharField(
        label=_("Reason for the suspension"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Recorded in the audit log. Do not write patient data here."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason"].widget.attrs["class"] = "form-control"
