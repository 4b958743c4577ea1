"""Forms of the panel's pages: invite an expert, post to the discussion, draft and sign the recommendation."""

from datetime import datetime, time, timedelta
from typing import Any, cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from concilium.accounts.models import User
from concilium.cases.models import Contribution, PanelRole
from concilium.cases.services.panel import CONTRIBUTION_MAX_LENGTH, GUEST_DEFAULT_DAYS, GUEST_MAX_DAYS
from concilium.cases.services.recommendation import MAX_FIELD_LENGTH
from concilium.core.forms import CleanTextFormMixin
from concilium.directory.models import Clinician


class InviteForm(CleanTextFormMixin, forms.Form):
    clinician = forms.ModelChoiceField(
        label=_("Expert"),
        queryset=Clinician.objects.none(),
        widget=forms.RadioSelect,
        error_messages={"required": _("Search the directory and pick an expert.")},
    )
    role = forms.ChoiceField(
        label=_("Role on the panel"),
        choices=[(PanelRole.MEMBER, _("Member")), (PanelRole.GUEST, _("Guest (access for a limited time)"))],
        initial=PanelRole.MEMBER,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    expires_on = forms.DateField(
        label=_("Guest access until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}),
        help_text=_("Guests only: at most %(max)s days from today; %(default)s days if left empty.")
        % {"max": GUEST_MAX_DAYS, "default": GUEST_DEFAULT_DAYS},
    )

    def __init__(self, *args: Any, candidates: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if candidates is not None:
            cast(forms.ModelChoiceField, self.fields["clinician"]).queryset = candidates

    def expires_at(self) -> datetime | None:
        """End of the chosen day in the current time zone (the service checks the 90-day bound)."""
        day = self.cleaned_data.get("expires_on")
        if self.cleaned_data.get("role") != PanelRole.GUEST or day is None:
            return None
        return timezone.make_aware(datetime.combine(day, time(23, 59)))

    def clean_expires_on(self) -> Any:
        day = self.cleaned_data.get("expires_on")
        if day is not None:
            today = timezone.localdate()
            if day <= today or day > today + timedelta(days=GUEST_MAX_DAYS):
                raise forms.ValidationError(
                    _("Choose a day after today and at most %(days)s days ahead.") % {"days": GUEST_MAX_DAYS}
                )
        return day


class ContributionForm(CleanTextFormMixin, forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=Contribution.Kind.choices,
        initial=Contribution.Kind.OPINION,
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )
    body = forms.CharField(
        label=_("Your contribution"),
        max_length=CONTRIBUTION_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4, "class": "form-control", "data-mention-input": ""}),
        help_text=_("Type @ and a name to mention a panel member; they will be notified."),
    )

    def __init__(self, *args: Any, allow_request: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not allow_request:
            cast(forms.ChoiceField, self.fields["kind"]).choices = [
                (Contribution.Kind.OPINION, Contribution.Kind.OPINION.label)
            ]


class RecommendationForm(CleanTextFormMixin, forms.Form):
    summary = forms.CharField(
        label=_("Summary"),
        max_length=MAX_FIELD_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4, "class": "form-control"}),
        help_text=_("The case as the panel understood it."),
    )
    recommendation = forms.CharField(
        label=_("Recommendation"),
        max_length=MAX_FIELD_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6, "class": "form-control"}),
    )
    rationale = forms.CharField(
        label=_("Rationale"),
        max_length=MAX_FIELD_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "class": "form-control"}),
    )
    references = forms.CharField(
        label=_("References"),
        max_length=MAX_FIELD_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
        help_text=_("Guidelines, trials or articles the recommendation rests on, one a line."),
    )
    participants = forms.ModelMultipleChoiceField(
        label=_("Participants"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        help_text=_("The panel members who took part in the discussion."),
    )

    def __init__(self, *args: Any, panel_users: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if panel_users is not None:
            cast(forms.ModelMultipleChoiceField, self.fields["participants"]).queryset = panel_users


class SignForm(forms.Form):
    credential = forms.CharField(
        max_length=128,
        strip=False,
        widget=forms.PasswordInput(attrs={"class": "form-control", "autocomplete": "current-password"}),
    )

    def __init__(self, *args: Any, needs_code: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["credential"]
        if needs_code:
            field.label = _("Code from your authenticator app")
            field.widget = forms.TextInput(
                attrs={
                    "class": "form-control",
                    "autocomplete": "one-time-code",
                    "inputmode": "numeric",
                    "pattern": "[0-9 ]*",
                }
            )
        else:
            field.label = _("Your password")
