"""The administration's forms. Each checks what a person can get wrong, with a message on the field; the
services behind them check the same rules again (and the policy), so a form and a service never disagree."""

from typing import Any, cast

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from concilium.accounts.models import AccountStatus, User
from concilium.core.forms import StyledForm
from concilium.directory.models import Network
from concilium.directory.reference import ISO_3166_ALPHA2, country_name
from concilium.scheduling.models import GroupMembership, Weekday
from concilium.scheduling.services import (
    MAX_SLOT_MINUTES,
    MAX_SLOTS,
    MIN_SLOT_MINUTES,
    time_zones,
    weekly_rule_problem,
)


class UserSearchForm(StyledForm):
    """The user list's filters, sent with GET: staff search names and addresses, never patient data."""

    q = forms.CharField(label=_("Name or email address"), required=False, max_length=100)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any")), *AccountStatus.choices]
    )


class ReasonForm(StyledForm):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Recorded in the audit log. Do not write patient data here."),
    )


def _country_choices() -> list[tuple[str, str]]:
    """Every ISO country, named where Concilium knows the name, in alphabetical order of the label."""
    labelled = [(code, country_name(code)) for code in ISO_3166_ALPHA2]
    return sorted(
        ((code, f"{name} ({code})" if name != code else code) for code, name in labelled), key=lambda c: c[1]
    )


class HospitalForm(StyledForm):
    name = forms.CharField(label=_("Name"), max_length=200)
    city = forms.CharField(label=_("City"), max_length=120, required=False)
    country = forms.ChoiceField(label=_("Country"))
    is_reference_centre = forms.BooleanField(
        label=_("Reference centre"),
        required=False,
        help_text=_("A member of a European Reference Network: it may ask the helpdesk for web conferences."),
    )
    networks = forms.ModelMultipleChoiceField(
        label=_("Networks"),
        queryset=Network.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, networks: QuerySet[Network], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["country"]).choices = [("", "—"), *_country_choices()]
        cast(forms.ModelMultipleChoiceField, self.fields["networks"]).queryset = networks


class PeopleField(forms.ModelMultipleChoiceField):
    """Accounts to choose from, each shown with its name and email address."""

    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.full_name} · {obj.email}"


class NetworkForm(StyledForm):
    code = forms.SlugField(
        label=_("Code"),
        max_length=40,
        help_text=_("Short and permanent, in lower case: “ern-paedcan”."),
    )
    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=Network.Kind.choices)
    description = forms.CharField(
        label=_("Description"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    administrators = PeopleField(
        label=_("Administrators"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Network admins who configure this network's expert groups. You stay one of them."),
    )

    def __init__(self, *args: Any, admins: QuerySet[User] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if admins is None:  # a new network: its code is set once, and its creator administers it
            del self.fields["administrators"]
        else:
            del self.fields["code"]
            cast(forms.ModelMultipleChoiceField, self.fields["administrators"]).queryset = admins


class ExpertGroupForm(StyledForm):
    network = forms.ModelChoiceField(label=_("Network"), queryset=Network.objects.none(), empty_label=None)
    name = forms.CharField(label=_("Name"), max_length=200)
    description = forms.CharField(
        label=_("Description"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    is_pre_evaluation = forms.BooleanField(
        label=_("Pre-evaluation group"),
        required=False,
        help_text=_("Evaluates requests before they go to a panel."),
    )

    def __init__(self, *args: Any, networks: QuerySet[Network], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["network"]).queryset = networks


class WeeklyRuleForm(StyledForm):
    weekday = forms.TypedChoiceField(
        label=_("Day of the week"),
        choices=[("", _("Does not meet")), *Weekday.choices],
        coerce=int,
        empty_value=None,
        required=False,
    )
    local_time = forms.TimeField(
        label=_("Start time"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        help_text=_("On the group's own clock: it stays the same across daylight-saving changes."),
    )
    time_zone = forms.ChoiceField(label=_("Time zone"))
    slot_count = forms.IntegerField(label=_("Slots per meeting"), min_value=0, max_value=MAX_SLOTS)
    slot_minutes = forms.IntegerField(
        label=_("Slot length (minutes)"), min_value=MIN_SLOT_MINUTES, max_value=MAX_SLOT_MINUTES
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["time_zone"]).choices = [
            (zone, zone) for zone in sorted(time_zones())
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        problem = weekly_rule_problem(
            weekday=data.get("weekday"),
            local_time=data.get("local_time"),
            time_zone=data.get("time_zone", ""),
            slot_count=data.get("slot_count") or 0,
            slot_minutes=data.get("slot_minutes") or 0,
        )
        if problem is not None:
            self.apply_error(problem)
        return data


class MemberAddForm(StyledForm):
    email = forms.EmailField(
        label=_("Email address"),
        help_text=_("The address the person signs in with; they need an active account."),
    )
    role = forms.ChoiceField(label=_("Role in the group"), choices=GroupMembership.GroupRole.choices)


class MemberRoleForm(StyledForm):
    role = forms.ChoiceField(label=_("Role in the group"), choices=GroupMembership.GroupRole.choices)
