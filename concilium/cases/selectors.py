"""Reads for cases; each starts from `CasePolicy.visible` (or, for a list, the narrowing of it that the list
needs), so no caller can skip the access rule."""

from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404

from concilium.cases.models import Case, CaseAttachment, CaseMessage, CaseStatus
from concilium.cases.permissions import CasePolicy, can_create_case
from concilium.core.pagination import RowsByIds
from concilium.patients.models import Patient
from concilium.patients.permissions import PatientPolicy
from concilium.patients.selectors import patient_search
from concilium.scheduling.models import ExpertGroup
from concilium.scheduling.selectors import coordinated_groups as scheduling_coordinated_groups

LIST_RELATED = ("patient", "patient__diagnosis_code", "group", "requester")
#: Queue tabs: status -> (what the coordinator does next)
QUEUE_STATUSES = (CaseStatus.SUBMITTED, CaseStatus.ACCEPTED, CaseStatus.SCHEDULED)


@dataclass(frozen=True)
class CaseFilters:
    status: str = ""
    group: int | None = None
    urgent: bool = False
    q: str = ""


#: A search lists at most this many matching cases, the newest (nobody pages further: they search better).
SEARCH_MATCHES = 2000


def _search_ids(queryset: QuerySet[Case], q: str, *, hospital_id: int | None) -> list[int]:
    """The ids of the cases whose reference holds `q`, or whose patient (of the hospital) the patient search
    finds (`patient_search`); newest first, read in one pass over the hospital's cases index (it holds the
    reference and the patient) against the hospital's matching patients, read from their own index."""
    patients = patient_search(Patient.objects.filter(hospital=hospital_id), q)
    # References are upper-case ("C-2026-00042"): an exact-case LIKE spares folding every row's reference.
    matches = queryset.filter(Q(reference__contains=q.upper()) | Q(patient_id__in=patients.values("pk")))
    return list(matches.values_list("pk", flat=True)[:SEARCH_MATCHES])


def case_list_for(*, actor: Any, filters: CaseFilters | None = None) -> QuerySet[Case] | RowsByIds[Case]:
    """ "My cases": the visible cases of the actor's hospital, newest first, filtered and searched.

    A search reads the matching ids once, and pages read rows by id (`RowsByIds`): a filter would be run
    row by row over the hospital's cases and patients twice, for the count and for the page."""
    filters = filters or CaseFilters()
    queryset = CasePolicy.visible_at_own_hospital(actor)
    if filters.status:
        queryset = queryset.filter(status=filters.status)
    if filters.group:
        queryset = queryset.filter(group_id=filters.group)
    if filters.urgent:
        queryset = queryset.filter(urgent=True)
    queryset = queryset.select_related(*LIST_RELATED).order_by("-created_at", "-id")
    q = filters.q.strip()
    if not q:
        return queryset
    return RowsByIds(_search_ids(queryset, q, hospital_id=getattr(actor, "hospital_id", None)), queryset)


def case_queue_for(
    *, actor: Any, status: str = CaseStatus.SUBMITTED, group: int | None = None, urgent_first: bool = True
) -> QuerySet[Case]:
    """ "Cases for my groups": the coordinated groups' cases in one status, oldest submission first."""
    queryset = CasePolicy.visible_in_coordinated_groups(actor).filter(status=status)
    if group:
        queryset = queryset.filter(group_id=group)
    order = ["submitted_at", "id"]
    if urgent_first:
        order = ["-urgent", *order]
    return queryset.select_related(*LIST_RELATED, "hospital").order_by(*order)


def coordinated_groups(*, actor: Any) -> list[ExpertGroup]:
    return scheduling_coordinated_groups(user_id=getattr(actor, "pk", None))


def case_get(*, actor: Any, pk: int) -> Case:
    """One case the actor sees, with what its page shows loaded; 404 otherwise (the caller audits it)."""
    queryset = CasePolicy.visible(actor).select_related(*LIST_RELATED, "hospital", "group__case_template")
    queryset = queryset.prefetch_related(
        Prefetch("attachments", queryset=CaseAttachment.objects.select_related("uploaded_by")),
        Prefetch("messages", queryset=CaseMessage.objects.select_related("author")),
    )
    case = queryset.filter(pk=pk).first()
    if case is None:
        raise Http404
    return case


def case_get_for_write(*, actor: Any, pk: int) -> Case:
    """One visible case (no page data), for a write; 404 when the actor does not see it."""
    case = CasePolicy.visible(actor).select_related("patient", "group").filter(pk=pk).first()
    if case is None:
        raise Http404
    return case


def attachment_get(*, actor: Any, case_pk: int, pk: int) -> CaseAttachment:
    """An attachment of a case the actor sees; 404 otherwise."""
    attachment = (
        CaseAttachment.objects.select_related("case", "case__patient", "case__group")
        .filter(pk=pk, case_id=case_pk, case__in=CasePolicy.visible(actor))
        .first()
    )
    if attachment is None:
        raise Http404
    return attachment


def patients_for_new_case(*, actor: Any) -> QuerySet[Patient]:
    """The actor's hospital's patients with a valid care consent (the ones a case can go forward for)."""
    if not can_create_case(actor):
        return Patient.objects.none()
    return PatientPolicy.visible(actor).filter(has_care_consent=True).select_related("diagnosis_code")


def case_timeline(case: Case) -> list[tuple[str, Any]]:
    """The status steps reached so far, in order: (label, when)."""
    steps = [
        (CaseStatus.DRAFT.label, case.created_at),
        (CaseStatus.SUBMITTED.label, case.submitted_at),
        (
            CaseStatus.DECLINED.label if case.status == CaseStatus.DECLINED else CaseStatus.ACCEPTED.label,
            case.decided_at,
        ),
        # The planned date; once the case was discussed earlier than planned, the plan is history.
        (
            CaseStatus.SCHEDULED.label,
            None
            if case.discussed_at and case.discussion_on and case.discussed_at < case.discussion_on
            else case.discussion_on,
        ),
        (CaseStatus.DISCUSSED.label, case.discussed_at),
        (CaseStatus.SIGNED.label, case.signed_at),
        (CaseStatus.CLOSED.label, case.closed_at),
        (CaseStatus.STOPPED.label, case.stopped_at),
    ]
    return [(str(label), when) for label, when in steps if when is not None]


def cases_of_patient(*, actor: Any, patient: Any) -> list[Case]:
    """The patient's cases the actor sees (its own hospital sees all of them), newest first."""
    return list(
        CasePolicy.visible(actor)
        .filter(patient_id=patient.pk)
        .select_related("group")
        .order_by("-created_at")
    )
