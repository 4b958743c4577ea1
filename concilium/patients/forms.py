"""Forms of the patients pages: enrolment (with the first consent), diagnosis, consent, withdrawal, forms.

Forms check types and shapes; the rules (duplicates, dates, file content) are the services', whose errors
come back as field errors through `apply_error`.
"""

from typing import Any, cast

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from concilium.core.forms import CleanTextFormMixin, StyledFormMixin
from concilium.core.kept_uploads import KeptUploadsFormMixin
from concilium.core.widgets import QuickSelect
from concilium.directory.reference import COUNTRY_NAMES
from concilium.patients.models import EU_LANGUAGES, ConsentFormTemplate, DiagnosisCode, Sex, Signer
from concilium.patients.selectors import (
    CONSENT_STATE_LABELS,
    current_consent_forms,
    diagnosis_code_lookup,
    diagnosis_code_search,
)
from concilium.patients.services import EARLIEST_BIRTH_YEAR, LOCAL_ID_MAX, REASON_MAX, ConsentData

MONTHS = [
    (1, _("January")),
    (2, _("February")),
    (3, _("March")),
    (4, _("April")),
    (5, _("May")),
    (6, _("June")),
    (7, _("July")),
    (8, _("August")),
    (9, _("September")),
    (10, _("October")),
    (11, _("November")),
    (12, _("December")),
]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class FormChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: ConsentFormTemplate) -> str:
        return f"{obj.get_language_display()} · {obj.version} · {obj.title}"


class DiagnosisCodeField(forms.CharField):
    """A code typed or picked from the suggestions ("C71.9", "ORPHA:319"), resolved to a DiagnosisCode."""

    def clean(self, value: Any) -> DiagnosisCode | None:
        text = super().clean(value)
        if not text:
            return None
        code = diagnosis_code_lookup(text.split(" ", 1)[0])
        if code is None:
            # Words of a label that name exactly one code ("ewing sarcoma") are as good as the code.
            matches = diagnosis_code_search(text, limit=2)
            code = matches[0] if len(matches) == 1 else None
        if code is None:
            raise forms.ValidationError(
                _("Unknown code: pick one from the suggestions, or leave it empty."), code="unknown_code"
            )
        return code


class ConsentFieldsMixin(KeptUploadsFormMixin):
    """The fields of a signed consent, shared by enrolment and the consent form. The signed document is
    kept across an error in the other fields (`core.kept_uploads`): nobody chooses it twice."""

    kept_file_fields = ("document",)

    for_care = forms.BooleanField(
        label=_("Care: discussing the case with experts"),
        required=False,
        initial=True,
        help_text=_("Required to enrol the patient and to put a case before a panel."),
    )
    for_registry = forms.BooleanField(label=_("Registry"), required=False)
    for_research_contact = forms.BooleanField(label=_("Being contacted for research"), required=False)
    language = forms.ChoiceField(label=_("Form language"), choices=EU_LANGUAGES)
    form = FormChoiceField(
        label=_("Form signed"),
        queryset=ConsentFormTemplate.objects.none(),
        required=False,
        empty_label=_("Another form (give its version)"),
        help_text=_("The network's form in the language chosen; or your hospital's own approved form."),
    )
    form_version = forms.CharField(
        label=_("Version of your own form"), max_length=20, required=False, help_text=_("e.g. 2.1")
    )
    signer = forms.ChoiceField(
        label=_("Signed by"), choices=Signer.choices, widget=forms.RadioSelect, initial=Signer.GUARDIAN
    )
    guardian_name = forms.CharField(
        label=_("Name of the legal guardian"),
        max_length=200,
        required=False,
        help_text=_("Required when a legal guardian signed."),
    )
    signed_on = forms.DateField(label=_("Date signed"), widget=DateInput())
    document = forms.FileField(
        label=_("Signed document"),
        help_text=_("A scan (PDF) or a photo (PNG, JPEG) of the signed form."),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,image/png,image/jpeg"}),
    )

    def setup_consent_fields(self, *, language: str) -> None:
        offered = current_consent_forms()
        cast(forms.ModelChoiceField, self.fields["form"]).queryset = offered
        # A valid default: the network's current form in the user's language, else in the site's language,
        # else any current form, with the consent's language set to the form's (the empty choice asks for
        # the version of a hospital's own form, which a user who changes nothing lacks, and a form in
        # another language than the consent's is refused).
        forms_offered = list(offered)
        chosen = next(
            (
                f
                for wanted in (language, settings.LANGUAGE_CODE)
                for f in forms_offered
                if f.language == wanted
            ),
            forms_offered[0] if forms_offered else None,
        )
        self.fields["form"].initial = chosen.pk if chosen else None
        self.fields["language"].initial = chosen.language if chosen else language
        self.fields["signed_on"].widget.attrs["max"] = timezone.localdate().isoformat()

    def consent_data(self) -> ConsentData:
        data = self.cleaned_data
        return ConsentData(
            signed_on=data["signed_on"],
            signer=data["signer"],
            language=data["language"],
            document=data["document"],
            for_care=data["for_care"],
            for_registry=data["for_registry"],
            for_research_contact=data["for_research_contact"],
            form=data["form"],
            form_version=data["form_version"],
            guardian_name=data["guardian_name"],
        )


def _country_choices() -> list[tuple[str, str]]:
    return [
        ("", "—"),
        *sorted(((code, str(name)) for code, name in COUNTRY_NAMES.items()), key=lambda c: c[1]),
    ]


class EnrolForm(CleanTextFormMixin, StyledFormMixin, ConsentFieldsMixin):
    local_id = forms.CharField(
        label=_("Local identifier"),
        max_length=LOCAL_ID_MAX,
        help_text=_("Your hospital's patient number. Stored encrypted; only your hospital ever sees it."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    birth_year = forms.IntegerField(label=_("Year of birth"), min_value=EARLIEST_BIRTH_YEAR)
    birth_month = forms.TypedChoiceField(
        label=_("Month of birth"), choices=[("", "—"), *MONTHS], coerce=int, empty_value=None
    )
    sex = forms.ChoiceField(label=_("Sex"), choices=[("", "—"), *Sex.choices])
    country = forms.ChoiceField(label=_("Country of residence"), choices=())
    diagnosis = forms.CharField(label=_("Diagnosis"), max_length=300)
    diagnosis_code = DiagnosisCodeField(
        label=_("Diagnosis code"),
        max_length=40,
        required=False,
        help_text=_("ICD-10 or ORPHAcode: type a code or words of its label and pick a suggestion."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "list": "diagnosis-code-options"}),
    )

    field_order = [
        "local_id",
        "birth_year",
        "birth_month",
        "sex",
        "country",
        "diagnosis",
        "diagnosis_code",
    ]

    def __init__(self, *args: Any, country: str = "", language: str = "en", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["country"]).choices = _country_choices()
        self.fields["country"].initial = country
        self.fields["birth_year"].widget.attrs["max"] = timezone.localdate().year
        self.setup_consent_fields(language=language)
        self.style_widgets()


class ConsentRecordForm(CleanTextFormMixin, StyledFormMixin, ConsentFieldsMixin):
    def __init__(self, *args: Any, language: str = "en", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["for_care"].help_text = _("Required to put a case before a panel.")
        self.setup_consent_fields(language=language)
        self.style_widgets()


class PatientUpdateForm(CleanTextFormMixin, StyledFormMixin, forms.Form):
    diagnosis = forms.CharField(label=_("Diagnosis"), max_length=300)
    diagnosis_code = DiagnosisCodeField(
        label=_("Diagnosis code"),
        max_length=40,
        required=False,
        help_text=_("ICD-10 or ORPHAcode: type a code or words of its label and pick a suggestion."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "list": "diagnosis-code-options"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.style_widgets()


class WithdrawForm(CleanTextFormMixin, StyledFormMixin, forms.Form):
    withdrawn_on = forms.DateField(label=_("Date of withdrawal"), widget=DateInput())
    reason = forms.CharField(
        label=_("Reason"),
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("As the patient or guardian gave it; no names."),
    )
    confirm = forms.BooleanField(
        label=_("I understand that the patient's open cases stop if no valid care consent remains."),
        required=True,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.fields["withdrawn_on"].initial = today
        self.fields["withdrawn_on"].widget.attrs["max"] = today.isoformat()
        self.style_widgets()


class ConsentFormUploadForm(CleanTextFormMixin, StyledFormMixin, KeptUploadsFormMixin):
    kept_file_fields = ("document",)

    language = forms.ChoiceField(label=_("Language"), choices=[("", "—"), *EU_LANGUAGES])
    version = forms.CharField(label=_("Version"), max_length=20, help_text=_("e.g. 1.0 or 2024-03"))
    title = forms.CharField(label=_("Title"), max_length=200)
    document = forms.FileField(
        label=_("Blank form (PDF)"), widget=forms.ClearableFileInput(attrs={"accept": "application/pdf"})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.style_widgets()


class PatientSearchForm(CleanTextFormMixin, forms.Form):
    """My patients' search: posted, kept in the session, never in the address (`core.search`)."""

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        widget=forms.TextInput(
            attrs={
                "class": "form-control",
                "type": "search",
                "placeholder": _("Pseudonym, diagnosis, code or local identifier"),
            }
        ),
    )
    consent = forms.ChoiceField(
        label=_("Consent"),
        required=False,
        choices=[("", _("Any consent state")), *CONSENT_STATE_LABELS.items()],
        widget=QuickSelect(attrs={"class": "form-select", "data-autosubmit": ""}),
    )

    def filters(self) -> dict[str, str]:
        """The search to run: nothing for an unbound form or one with errors (shown beside its fields)."""
        if not self.is_bound or not self.is_valid():
            return {"q": "", "consent": ""}
        return {"q": self.cleaned_data["q"].strip(), "consent": self.cleaned_data["consent"]}
