"""The public registration form and the helpdesk's rejection form."""

from typing import Any, cast

from django import forms
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from concilium.accounts.models import User
from concilium.core.forms import CleanTextFormMixin, StyledFormMixin
from concilium.directory.models import Hospital, Language, Specialty
from concilium.directory.reference import country_name

#: The member states of the European Union and the other states of the European Economic Area.
EU_EEA_COUNTRIES = frozenset(
    {
        *("AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU"),
        *("IE", "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK"),
        *("IS", "LI", "NO"),
    }
)


def _hospital_choices(hospitals: list[Hospital]) -> list[tuple[str, list[tuple[str, str]]]]:
    """Hospitals grouped under their country's name, countries and hospitals in alphabetical order."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for hospital in hospitals:
        label = f"{hospital.name} · {hospital.city}" if hospital.city else hospital.name
        groups.setdefault(hospital.country, []).append((str(hospital.pk), label))
    ordered = sorted(groups.items(), key=lambda item: country_name(item[0]).casefold())
    return [(country_name(code), sorted(options, key=lambda o: o[1].casefold())) for code, options in ordered]


class RegistrationForm(StyledFormMixin, CleanTextFormMixin, forms.Form):
    """What a clinician gives to ask for an account; the helpdesk checks it before activation."""

    full_name = forms.CharField(
        label=_("Full name"), max_length=200, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    email = forms.EmailField(
        label=_("Professional email address"),
        max_length=254,
        help_text=_("Use your hospital address: the helpdesk uses it to confirm where you work."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    country = forms.ChoiceField(
        label=_("Country"), widget=forms.Select(attrs={"data-hospital-field": "id_hospital"})
    )
    hospital = forms.ChoiceField(
        label=_("Hospital"),
        help_text=_("Your hospital is not listed? Ask the helpdesk to add it before you register."),
        widget=forms.Select(attrs={"data-country-field": "id_country"}),
    )
    specialty = forms.ModelChoiceField(label=_("Specialty"), queryset=Specialty.objects.all())
    languages = forms.ModelMultipleChoiceField(
        label=_("Languages you consult in"),
        queryset=Language.objects.order_by(Lower("name"), "code"),
        widget=forms.CheckboxSelectMultiple,
    )
    professional_role = forms.CharField(
        label=_("Professional role"),
        max_length=120,
        help_text=_("For example: consultant paediatric oncologist, radiologist, ICU nurse."),
        widget=forms.TextInput(attrs={"autocomplete": "organization-title"}),
    )
    reason = forms.CharField(
        label=_("Reason for access"),
        max_length=2000,
        help_text=_("What you want to use Concilium for, in a few sentences. Do not include patient data."),
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label=_("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    acknowledge = forms.BooleanField(
        label=_("I have read the factsheet and the privacy statement above."),
        error_messages={
            "required": _("Please confirm that you have read the factsheet and the privacy statement.")
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        hospitals = list(Hospital.objects.only("pk", "name", "city", "country"))
        self._hospitals = {str(h.pk): h for h in hospitals}
        countries = EU_EEA_COUNTRIES | {h.country for h in hospitals}
        country_options = sorted(
            ((code, country_name(code)) for code in countries), key=lambda c: c[1].casefold()
        )
        choose = [("", _("Choose…"))]
        cast(forms.ChoiceField, self.fields["country"]).choices = [*choose, *country_options]
        cast(forms.ChoiceField, self.fields["hospital"]).choices = [*choose, *_hospital_choices(hospitals)]
        cast(forms.ModelChoiceField, self.fields["specialty"]).empty_label = _("Choose…")
        self.style_widgets()

    def clean_email(self) -> str:
        return User.objects.normalize_email(self.cleaned_data["email"]).lower()

    def clean_hospital(self) -> Hospital:
        hospital = self._hospitals.get(self.cleaned_data["hospital"])
        if hospital is None:
            raise ValidationError(_("Choose a hospital from the list."), code="invalid_choice")
        return hospital

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        hospital, country = data.get("hospital"), data.get("country")
        if hospital is not None and country and hospital.country != country:
            self.add_error(
                "country",
                ValidationError(
                    _("%(hospital)s is in %(actual)s, not in %(chosen)s. Choose your hospital's country."),
                    code="country_mismatch",
                    params={
                        "hospital": hospital.name,
                        "actual": country_name(hospital.country),
                        "chosen": country_name(country),
                    },
                ),
            )
        password1, password2 = data.get("password1"), data.get("password2")
        if password1 and password2 and password1 != password2:
            self.add_error(
                "password2", ValidationError(_("The two passwords differ."), code="password_mismatch")
            )
        elif password1:
            candidate = User(email=data.get("email") or "", full_name=data.get("full_name") or "")
            try:
                password_validation.validate_password(password1, user=candidate)
            except ValidationError as error:
                self.add_error("password1", error)
        return data


class RejectionForm(StyledFormMixin, CleanTextFormMixin, forms.Form):
    """The reason a request is rejected; it is emailed to the applicant."""

    reason = forms.CharField(
        label=_("Reason for rejection"),
        max_length=2000,
        help_text=_(
            "Sent to the applicant by email. Say what they can do, e.g. register with a hospital address."
        ),
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.style_widgets()
