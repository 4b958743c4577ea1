"""Reads for patients, consents, consent forms and diagnosis codes; each starts from what the actor sees."""

from datetime import date
from enum import StrEnum
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from concilium.core.pagination import IdsThenRows, RowsByIds
from concilium.directory.models import fold
from concilium.patients.crypto import local_id_digests
from concilium.patients.extensions import ListColumn, list_columns, page_sections
from concilium.patients.models import Consent, ConsentFormTemplate, DiagnosisCode, Patient
from concilium.patients.permissions import ConsentFormPolicy, ConsentPolicy, PatientPolicy

#: Codes offered by the autocomplete at most.
CODE_SUGGESTIONS = 20


class ConsentState(StrEnum):
    VALID = "valid"
    MISSING = "missing"
    WITHDRAWN = "withdrawn"


CONSENT_STATE_LABELS = {
    ConsentState.VALID: _("Valid care consent"),
    ConsentState.MISSING: _("No valid consent"),
    ConsentState.WITHDRAWN: _("Consent withdrawn"),
}


def _valid_care_on(day: date) -> Q:
    return Q(for_care=True, signed_on__lte=day) & (Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gt=day))


def has_valid_care_consent(patient: Patient, on: date | None = None) -> bool:
    """True when a care consent signed on or before `on` (today) is not withdrawn by then."""
    day = on or timezone.localdate()
    return Consent.objects.filter(_valid_care_on(day), patient_id=patient.pk).exists()


#: A search lists at most this many matching patients, the most recently enrolled.
SEARCH_MATCHES = 2000


def patient_search(patients: QuerySet[Patient], needle: str) -> QuerySet[Patient]:
    """The `patients` whose pseudonym or diagnosis holds `needle` (case and accents aside), whose diagnosis
    code starts with it or has it in its label, or whose local identifier it is, exactly.

    Every test reads a column of the hospital's list index (`patient_hospital_recent`) or a small table, so
    a search reads that index alone; the local identifier is looked up once, by its digest."""
    folded = fold(needle)
    codes = DiagnosisCode.objects.filter(Q(code__istartswith=needle) | Q(search_text__contains=folded))
    by_local_id = patients.filter(local_id_digest__in=local_id_digests(needle)).values("pk")
    return patients.filter(
        Q(search_text__contains=folded) | Q(diagnosis_code_id__in=codes.values("pk")) | Q(pk__in=by_local_id)
    )


def patients_for(*, actor: Any, q: str = "", consent: str = "") -> IdsThenRows[Patient] | RowsByIds[Patient]:
    """The patients `actor` may see, newest first, searched by pseudonym, diagnosis, code or the exact
    local identifier (at most SEARCH_MATCHES), and filtered by consent state; each with its diagnosis code
    and the columns other apps add (`extensions.list_columns`).

    A search reads the matching ids once, and pages read rows by id (`RowsByIds`): a filter would be run
    row by row over the hospital's patients twice, for the count and for the page."""
    queryset = PatientPolicy.visible(actor)
    if consent == ConsentState.VALID:
        queryset = queryset.filter(has_care_consent=True)
    elif consent == ConsentState.MISSING:
        queryset = queryset.filter(has_care_consent=False)
    elif consent == ConsentState.WITHDRAWN:
        withdrawn = Consent.objects.filter(patient_id=OuterRef("pk"), withdrawn_on__isnull=False)
        queryset = queryset.filter(Exists(withdrawn), has_care_consent=False)
    queryset = queryset.order_by("-enrolled_at", "-id")
    matches = None
    needle = q.strip()
    if needle:
        matches = patient_search(queryset, needle).values_list("pk", flat=True)
    # The columns other apps add (the number of cases): annotations computed for the page's rows only.
    columns = {column.name: column.annotation() for column in list_columns()}
    rows = Patient.objects.select_related("diagnosis_code").annotate(**columns).order_by()
    if matches is None:
        # The page's ids from the hospital's index, then its rows by id: the last page costs the first's.
        return IdsThenRows(queryset, rows)
    return RowsByIds(list(matches[:SEARCH_MATCHES]), rows)


def patient_get(*, actor: Any, patient_id: int) -> Patient:
    """The patient if `actor` may see it; Http404 alike whether it is missing or another hospital's."""
    patient = PatientPolicy.visible(actor).select_related("diagnosis_code", "hospital").filter(pk=patient_id)
    found = patient.first()
    if found is None:
        raise Http404
    return found


def consents_of(*, patient: Patient) -> list[Consent]:
    """A patient's consents, newest signature first, with who recorded and withdrew them."""
    return list(
        Consent.objects.filter(patient_id=patient.pk).select_related("form", "recorded_by", "withdrawn_by")
    )


def consent_get(*, actor: Any, patient: Patient, consent_id: int) -> Consent:
    found = (
        ConsentPolicy.visible(actor)
        .select_related("patient", "form")
        .filter(pk=consent_id, patient_id=patient.pk)
        .first()
    )
    if found is None:
        raise Http404
    return found


def patient_list_columns() -> list[ListColumn]:
    """The columns other apps add to the "My patients" list (their values are annotated on each row)."""
    return list_columns()


def patient_page_sections(*, actor: Any, patient: Patient) -> list[dict[str, object]]:
    """The sections other apps add to the patient page, each a template and its context."""
    return [{"template": part.template, "context": part.context(actor, patient)} for part in page_sections()]


def consent_forms_for(*, actor: Any, language: str = "") -> QuerySet[ConsentFormTemplate]:
    """The blank forms `actor` may see (admins: every version; clinicians: the current ones)."""
    queryset = ConsentFormPolicy.visible(actor).select_related("uploaded_by")
    if language:
        queryset = queryset.filter(language=language)
    return queryset.order_by("language", "-uploaded_at", "-id")


def consent_form_get(*, actor: Any, form_id: int) -> ConsentFormTemplate:
    found = ConsentFormPolicy.visible(actor).filter(pk=form_id).first()
    if found is None:
        raise Http404
    return found


def current_consent_forms() -> QuerySet[ConsentFormTemplate]:
    """The forms offered when a consent is recorded: the current version in each language."""
    return ConsentFormTemplate.objects.filter(is_current=True).order_by("language", "-uploaded_at")


def diagnosis_code_search(q: str, *, limit: int = CODE_SUGGESTIONS) -> list[DiagnosisCode]:
    """Codes whose code starts with `q` (ICD-10 "C71", "ORPHA:319") or whose label holds it."""
    needle = q.strip()
    if not needle:
        return []
    folded = fold(needle)
    queryset = DiagnosisCode.objects.filter(Q(code__istartswith=needle) | Q(search_text__contains=folded))
    return list(queryset.order_by("system", "code")[:limit])


def diagnosis_code_lookup(code: str) -> DiagnosisCode | None:
    """The code typed or picked in a form: exact, case-insensitive ("c71.9", "orpha:319")."""
    value = code.strip()
    if not value:
        return None
    return DiagnosisCode.objects.filter(code__iexact=value).order_by("system").first()


def consent_summary(consents: list[Consent], *, on: date | None = None) -> list[tuple[Consent, str]]:
    """Each consent with its state on `on`: "valid", "withdrawn" or "pending" (signed later)."""
    day = on or timezone.localdate()
    rows = []
    for consent in consents:
        if consent.withdrawn_on is not None and consent.withdrawn_on <= day:
            state = "withdrawn"
        elif consent.signed_on <= day:
            state = "valid"
        else:
            state = "pending"
        rows.append((consent, state))
    return rows
