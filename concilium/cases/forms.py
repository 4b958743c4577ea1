"""Forms of the case workflow. They check the shape of the input; the services check the rules again."""

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from concilium.cases.models import EPISODE_FIELDS, CaseStatus
from concilium.cases.services import text_problem
from concilium.cases.services.lifecycle import EPISODE_MAX_CHARS, REASON_MAX_CHARS
from concilium.cases.services.messages import MESSAGE_MAX_CHARS
from concilium.cases.services.templates import CHECKLIST_KINDS, Section
from concilium.core.forms import CleanTextFormMixin, StyledForm
from concilium.core.widgets import QuickSelect
from concilium.patients.models import Patient
from concilium.scheduling.models import ExpertGroup
from concilium.scheduling.selectors import expert_groups_all


def _plain_text(limit: int) -> Callable[[str], None]:
    def check(value: str) -> None:
        problem = text_problem(value or "", limit=limit)
        if problem:
            raise ValidationError(problem)

    return check


def _help(section: Section | None) -> str:
    if section is None:
        return ""
    if section.required:
        return " ".join([str(_("Required by the group before submission.")), section.guidance]).strip()
    return section.guidance


def _episode_fields(form: forms.Form, sections: list[Section] | None) -> None:
    guidance = {s.field: s for s in sections or []}
    for name, label in EPISODE_FIELDS.items():
        section = guidance.get(name)
        form.fields[name] = forms.CharField(
            label=label,
            required=False,
            max_length=EPISODE_MAX_CHARS,
            strip=True,
            validators=[_plain_text(EPISODE_MAX_CHARS)],
            widget=forms.Textarea(attrs={"rows": 4}),
            help_text=_help(section),
        )


class PatientChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Patient) -> str:
        return f"{obj.pseudonym} — {obj.diagnosis}"


class ExpertGroupChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: ExpertGroup) -> str:
        return f"{obj.name} ({obj.network.name})"


class CaseCreateForm(StyledForm):
    patient = PatientChoiceField(label=_("Patient"), queryset=Patient.objects.none())
    group = ExpertGroupChoiceField(
        label=_("Expert group"),
        queryset=expert_groups_all(),
    )
    urgent = forms.BooleanField(
        label=_("Urgent"),
        required=False,
        help_text=_("The group's members are told at once when you submit."),
    )

    def __init__(
        self, *args: Any, patients: QuerySet[Patient], sections: list[Section] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        cast(PatientChoiceField, self.fields["patient"]).queryset = patients
        # The chosen group's guidance under each field; the page swaps it in when another group is chosen.
        _episode_fields(self, sections)
        for name in EPISODE_FIELDS:
            self.fields[name].widget.attrs.update(
                {"class": "form-control", "aria-describedby": f"id_{name}_helptext"}
            )
        self.fields["group"].widget.attrs.update(
            {
                "hx-get": reverse_lazy("cases:new_guidance"),
                "hx-trigger": "change",
                "hx-target": "#case-sheet-guidance",
                "aria-controls": "case-sheet-guidance",
            }
        )

    def episode(self) -> dict[str, object]:
        return {name: self.cleaned_data.get(name, "") for name in EPISODE_FIELDS}


class CaseEditForm(StyledForm):
    urgent = forms.BooleanField(
        label=_("Urgent"),
        required=False,
        help_text=_("The group's members are told at once when you submit."),
    )
    checklist_confirmed = forms.MultipleChoiceField(
        label=_("I confirm"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(
        self, *args: Any, sections: list[Section], confirm_items: list[dict[str, str]], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        _episode_fields(self, sections)
        self.order_fields([*EPISODE_FIELDS, "urgent", "checklist_confirmed"])
        for name in EPISODE_FIELDS:
            self.fields[name].widget.attrs["class"] = "form-control"
        cast(forms.MultipleChoiceField, self.fields["checklist_confirmed"]).choices = [
            (i["key"], i["label"]) for i in confirm_items
        ]
        if not confirm_items:
            del self.fields["checklist_confirmed"]

    def episode(self) -> dict[str, object]:
        return {name: self.cleaned_data.get(name, "") for name in EPISODE_FIELDS}


class DeclineForm(StyledForm):
    reason = forms.CharField(
        label=_("Reason for declining"),
        max_length=REASON_MAX_CHARS,
        validators=[_plain_text(REASON_MAX_CHARS)],
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The requester reads it on the case page."),
    )


class ScheduleForm(StyledForm):
    discussion_on = forms.DateTimeField(
        label=_("Discussion date and time"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        help_text=_("In your time zone (Europe/Brussels). Until meeting slots exist, set it by hand."),
    )

    def clean_discussion_on(self) -> datetime:
        value: datetime = self.cleaned_data["discussion_on"]
        now = timezone.now()
        if value <= now:
            raise ValidationError(_("The discussion date must be in the future."))
        if value > now + timedelta(days=731):
            raise ValidationError(_("The discussion date must be within the next two years."))
        return value


class MessageForm(StyledForm):
    body = forms.CharField(
        label=_("Message"),
        max_length=MESSAGE_MAX_CHARS,
        validators=[_plain_text(MESSAGE_MAX_CHARS)],
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    request_information = forms.BooleanField(
        label=_("Ask for more information (the requester may then edit the case)"), required=False
    )


class AttachmentForm(StyledForm):
    file = forms.FileField(
        label=_("File"),
        help_text=_("PDF, PNG, JPEG, DOCX or ODT."),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.png,.jpg,.jpeg,.docx,.odt"}),
    )
    description = forms.CharField(label=_("Description"), max_length=200, required=False)
    checklist_key = forms.ChoiceField(label=_("Answers the checklist item"), required=False)

    def __init__(self, *args: Any, attachment_items: list[dict[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["checklist_key"]).choices = [
            ("", "—"),
            *[(i["key"], i["label"]) for i in attachment_items],
        ]


class ChecklistConfirmForm(StyledForm):
    """Confirm one of the group's checklist items on the case page (or take the confirmation back)."""

    key = forms.ChoiceField(label=_("Checklist item"))
    confirmed = forms.TypedChoiceField(
        label=_("Confirmed"), choices=[("1", _("Yes")), ("0", _("No"))], coerce=lambda value: value == "1"
    )

    def __init__(self, *args: Any, confirm_items: list[dict[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["key"]).choices = [(i["key"], i["label"]) for i in confirm_items]


STATUS_CHOICES = [("", _("All statuses")), *CaseStatus.choices]


class CaseFilterForm(CleanTextFormMixin, forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    status = forms.ChoiceField(label=_("Status"), choices=STATUS_CHOICES, required=False, widget=QuickSelect)
    group = forms.ModelChoiceField(
        label=_("Expert group"),
        # A filter shows each group's name only: not its network, nor every column, on every page.
        queryset=expert_groups_all().select_related(None).only("id", "name", "translations"),
        required=False,
        widget=QuickSelect,
    )
    urgent = forms.BooleanField(label=_("Urgent only"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs.update(
            {"class": "form-control", "placeholder": _("Reference, pseudonym or diagnosis")}
        )
        self.fields["status"].widget.attrs["class"] = "form-select"
        self.fields["group"].widget.attrs["class"] = "form-select"
        cast(forms.ModelChoiceField, self.fields["group"]).empty_label = _("All groups")
        self.fields["urgent"].widget.attrs["class"] = "form-check-input"

    def clean_q(self) -> str:
        value: str = self.cleaned_data.get("q", "")
        if text_problem(value, limit=100):
            raise ValidationError(_("Remove the control characters or markup from the search."))
        return value.strip()


class TemplateForm(StyledForm):
    """A network admin's case template: each episode field required or not with guidance; checklist lines."""

    checklist = forms.CharField(
        label=_("Checklist"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "One item a line: “attachment: Brain MRI report attached” or “confirm: Discussed in the local "
            "tumour board”. Optionally a key first: “attachment mri-report: Brain MRI report attached”."
        ),
    )

    def __init__(self, *args: Any, sections: list[Section], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for section in sections:
            self.fields[f"required_{section.field}"] = forms.BooleanField(
                label=_("%(section)s is required") % {"section": section.label},
                required=False,
                initial=section.required,
            )
            self.fields[f"guidance_{section.field}"] = forms.CharField(
                label=_("Guidance for %(section)s") % {"section": section.label},
                required=False,
                max_length=500,
                initial=section.guidance,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
        self.order_fields([*[n for n in self.fields if n != "checklist"], "checklist"])
        for field in self.fields.values():
            if isinstance(field.widget, forms.CheckboxInput):
                field.widget.attrs["class"] = "form-check-input"
            else:
                field.widget.attrs["class"] = "form-control"
        self.section_names = [s.field for s in sections]

    def sections(self) -> list[dict[str, object]]:
        return [
            {
                "field": name,
                "required": bool(self.cleaned_data.get(f"required_{name}")),
                "guidance": self.cleaned_data.get(f"guidance_{name}", ""),
            }
            for name in self.section_names
        ]

    def clean_checklist(self) -> list[dict[str, str]]:
        from django.utils.text import slugify

        items = []
        for number, raw in enumerate(self.cleaned_data.get("checklist", "").splitlines(), start=1):
            line = raw.strip()
            if not line:
                continue
            head, sep, label = line.partition(":")
            words = head.split()
            if not sep or not words or words[0] not in CHECKLIST_KINDS or len(words) > 2:
                raise ValidationError(
                    _("Line %(number)d: start with “attachment:” or “confirm:”.") % {"number": number}
                )
            key = words[1] if len(words) == 2 else slugify(label)[:50] or f"item-{number}"
            items.append({"kind": words[0], "key": key, "label": label.strip()})
        return items


def checklist_as_text(checklist: list[dict[str, str]]) -> str:
    return "\n".join(f"{i['kind']} {i['key']}: {i['label']}" for i in checklist)
