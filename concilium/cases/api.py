"""JSON API for cases, mounted at /api/cases/: the same rules as the pages (CasePolicy and the services).

A case the caller does not see is a 404 problem; a refused transition a 409 (wrong status, no consent) or a
422 (incomplete case, invalid input), both application/problem+json with a stable `code`.
"""

from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.core.paginator import Paginator
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import field_validator

from concilium.accounts.api_auth import api_user, required_scope
from concilium.accounts.models import TokenScope
from concilium.cases.models import EPISODE_FIELDS, Case, CaseAttachment, CaseStatus
from concilium.cases.permissions import CasePolicy, can_create_case, can_use_queue
from concilium.cases.selectors import (
    QUEUE_STATUSES,
    CaseFilters,
    attachment_get,
    case_get,
    case_get_for_write,
    case_list_for,
    case_queue_for,
)
from concilium.cases.services.attachments import attachment_add, attachment_download_record
from concilium.cases.services.lifecycle import (
    case_accept,
    case_create,
    case_decline,
    case_schedule,
    case_submit,
    case_update,
)
from concilium.cases.services.reads import case_read_record, cases_listed
from concilium.cases.services.refusals import case_action_run
from concilium.cases.services.templates import completeness
from concilium.core.errors import CommonCode, DomainError, ErrorKind, not_found, register_codes
from concilium.core.pagination import MAX_PAGE, IdsThenRows, RowsByIds
from concilium.core.text import has_control_characters
from concilium.patients.selectors import patient_get
from concilium.scheduling.selectors import expert_group_get

router = Router(tags=["cases"])

PAGE_SIZE = 25
register_codes(
    {
        "patient_not_found": ErrorKind.NOT_FOUND,
        "group_not_found": ErrorKind.INVALID,
        "invalid_status": ErrorKind.INVALID,
    }
)


def _visible_case(request: HttpRequest, case_id: int) -> Case:
    try:
        return case_get_for_write(actor=api_user(request), pk=case_id)
    except Http404 as exc:
        raise not_found(_("No such case.")) from exc


def _act(
    request: HttpRequest, case_id: int, action: str, service: Callable[..., object], **values: Any
) -> dict[str, object]:
    """The body of every case transition: the write scope, the case the caller sees, the service run as
    the caller (a refusal audited and answered as a problem), and the case as it is now."""
    required_scope(request, TokenScope.WRITE)
    case = _visible_case(request, case_id)
    actor = api_user(request)
    case_action_run(
        case=case, actor=actor, action=action, run=lambda: service(case=case, actor=actor, **values)
    )
    return _fresh(request, case_id)


class DiagnosisCodeOut(Schema):
    system: str
    code: str
    label: str


class PatientRefOut(Schema):
    id: int
    pseudonym: str
    has_care_consent: bool
    diagnosis: str
    diagnosis_code: DiagnosisCodeOut | None


class GroupRefOut(Schema):
    id: int
    name: str


class HospitalRefOut(Schema):
    id: int
    name: str
    country: str


class CaseSummaryOut(Schema):
    id: int
    reference: str
    status: str
    urgent: bool
    information_requested: bool
    patient: PatientRefOut
    group: GroupRefOut
    created_at: datetime
    submitted_at: datetime | None
    discussion_on: datetime | None

    @staticmethod
    def resolve_information_requested(case: Case | dict[str, object]) -> bool:
        if isinstance(case, dict):
            return bool(case["information_requested"])
        return case.information_requested_at is not None


class MissingOut(Schema):
    kind: str
    key: str
    label: str


class CompletenessOut(Schema):
    percent: int
    complete: bool
    missing: list[MissingOut]


class CaseOut(CaseSummaryOut):
    hospital: HospitalRefOut
    clinical_history: str
    imaging_findings: str
    pathology: str
    laboratory: str
    treatment_so_far: str
    question: str
    checklist_confirmed: list[str]
    decided_at: datetime | None
    decline_reason: str
    discussed_at: datetime | None
    signed_at: datetime | None
    closed_at: datetime | None
    stopped_at: datetime | None
    completeness: CompletenessOut
    allowed_actions: list[str] = Field(description="what the caller may do with the case now")


class CasePageOut(Schema):
    items: list[CaseSummaryOut]
    page: int
    per_page: int
    has_next: bool
    total: int


def _case_out(request: HttpRequest, case: Case) -> dict[str, object]:
    actor = api_user(request)
    found = completeness(case)
    data: dict[str, object] = {
        name: getattr(case, name) for name in CaseOut.model_fields if hasattr(case, name)
    }
    data.update(
        patient=case.patient,
        group=case.group,
        hospital=case.hospital,
        information_requested=case.information_requested_at is not None,
        checklist_confirmed=list(case.checklist_confirmed or []),
        completeness={"percent": found.percent, "complete": found.complete, "missing": found.missing},
        allowed_actions=sorted(CasePolicy.allowed_actions(actor, case)),
    )
    return data


class ListFilters(Schema):
    status: CaseStatus | None = None
    group: int | None = None
    urgent: bool = False
    page: int = Field(1, ge=1, le=MAX_PAGE, description=f"1 to {MAX_PAGE}: narrow the filters to go further")


class CaseSearchIn(ListFilters):
    """A search of "my cases", sent in the body: a reference, a pseudonym or an identifier never travels in
    an address."""

    q: str = Field(
        "", max_length=100, description="reference, pseudonym, diagnosis or exact local identifier"
    )

    @field_validator("q")
    @classmethod
    def no_control_characters(cls, value: str) -> str:
        if has_control_characters(value):
            raise ValueError("must not contain control characters")
        return value.strip()


def _page(
    request: HttpRequest, queryset: IdsThenRows[Case] | RowsByIds[Case], number: int, action: str
) -> dict[str, object]:
    """One page of cases, its reading audited."""
    page = Paginator(queryset, PAGE_SIZE).get_page(number)
    cases_listed(
        actor=api_user(request),
        action=action,
        case_ids=[case.pk for case in page.object_list],
        page=page.number,
    )
    return {
        "items": list(page.object_list),
        "page": page.number,
        "per_page": PAGE_SIZE,
        "has_next": page.has_next(),
        "total": page.paginator.count,
    }


def _my_cases(request: HttpRequest, filters: ListFilters, q: str) -> dict[str, object]:
    required_scope(request, TokenScope.READ)
    actor = api_user(request)
    if not can_create_case(actor):
        raise DomainError("forbidden", "Only clinicians of a hospital have cases of their own.")
    queryset = case_list_for(
        actor=actor,
        filters=CaseFilters(status=filters.status or "", group=filters.group, urgent=filters.urgent, q=q),
    )
    return _page(request, queryset, filters.page, "case.list")


@router.get("/", response=CasePageOut, url_name="cases_list")
def list_cases(request: HttpRequest, filters: Query[ListFilters]) -> dict[str, object]:
    """The cases of your hospital ("my cases"), newest first, 25 a page. To search, POST the term to
    `/api/cases/search`: a `q` in the address is refused (addresses end up in logs)."""
    if "q" in request.GET:
        raise DomainError(
            CommonCode.SEARCH_IN_ADDRESS,
            "Send the search term in the body of POST /api/cases/search, never in the URL.",
        )
    return _my_cases(request, filters, "")


@router.post("/search", response=CasePageOut, url_name="cases_search")
def search_cases(request: HttpRequest, payload: CaseSearchIn) -> dict[str, object]:
    """Your hospital's cases matching `q`, with the list's filters, newest first, 25 a page: a read, sent as
    a POST so that the term travels in the body (read scope)."""
    return _my_cases(request, payload, payload.q)


class QueueFilters(Schema):
    status: CaseStatus = CaseStatus.SUBMITTED
    group: int | None = None
    urgent_first: bool = True
    page: int = Field(1, ge=1, le=MAX_PAGE, description=f"1 to {MAX_PAGE}: narrow the filters to go further")


@router.get("/queue", response=CasePageOut, url_name="cases_queue")
def queue(request: HttpRequest, filters: Query[QueueFilters]) -> dict[str, object]:
    """Cases of the groups you coordinate in one status (submitted by default), oldest submission first."""
    required_scope(request, TokenScope.READ)
    if not can_use_queue(api_user(request)):
        raise DomainError("forbidden", "Only the coordinators of an expert group have a queue.")
    if filters.status not in QUEUE_STATUSES:
        raise DomainError("invalid_status", "The queue holds submitted, accepted and scheduled cases.")
    queryset = case_queue_for(
        actor=api_user(request), status=filters.status, group=filters.group, urgent_first=filters.urgent_first
    )
    return _page(request, queryset, filters.page, "case.queue")


@router.get("/{case_id}", response=CaseOut, url_name="cases_get")
def get_case(request: HttpRequest, case_id: int) -> dict[str, object]:
    """One case with its episode, completeness and the actions open to you (the read is audited)."""
    required_scope(request, TokenScope.READ)
    try:
        with transaction.atomic():
            case = case_get(actor=api_user(request), pk=case_id)
            case_read_record(actor=api_user(request), case=case, via="api")
    except Http404 as exc:
        raise not_found(_("No such case.")) from exc
    return _case_out(request, case)


class EpisodeIn(Schema):
    clinical_history: str | None = Field(None, max_length=20_000)
    imaging_findings: str | None = Field(None, max_length=20_000)
    pathology: str | None = Field(None, max_length=20_000)
    laboratory: str | None = Field(None, max_length=20_000)
    treatment_so_far: str | None = Field(None, max_length=20_000)
    question: str | None = Field(None, max_length=20_000)

    def episode(self) -> dict[str, object]:
        return {name: getattr(self, name) for name in EPISODE_FIELDS if getattr(self, name) is not None}


class CaseCreateIn(EpisodeIn):
    patient: int = Field(description="id of a patient of your hospital")
    group: int = Field(description="id of the expert group asked")
    urgent: bool = False


class CaseUpdateIn(EpisodeIn):
    urgent: bool | None = None
    checklist_confirmed: list[str] | None = Field(None, max_length=50)


@router.post("/", response={201: CaseOut}, url_name="cases_create")
def create_case(request: HttpRequest, payload: CaseCreateIn) -> Status[dict[str, object]]:
    """Start a draft case for a patient of your hospital, addressed to an expert group."""
    required_scope(request, TokenScope.WRITE)
    actor = api_user(request)
    if not can_create_case(actor):
        raise DomainError("forbidden", "Only clinicians of a hospital start cases.")
    try:
        patient = patient_get(actor=actor, patient_id=payload.patient)
    except Http404 as exc:
        raise DomainError("patient_not_found", "No such patient at your hospital.") from exc
    group = expert_group_get(group_id=payload.group)
    if group is None:
        raise DomainError("group_not_found", "No such expert group.")
    case = case_create(
        actor=actor,
        patient=patient,
        group=group,
        urgent=payload.urgent,
        episode=payload.episode(),
    )
    return Status(
        201, _case_out(request, Case.objects.select_related("patient", "group", "hospital").get(pk=case.pk))
    )


def _fresh(request: HttpRequest, case_id: int) -> dict[str, object]:
    case = Case.objects.select_related("patient", "patient__diagnosis_code", "group", "hospital").get(
        pk=case_id
    )
    return _case_out(request, case)


@router.patch("/{case_id}", response=CaseOut, url_name="cases_update")
def update_case(request: HttpRequest, case_id: int, payload: CaseUpdateIn) -> dict[str, object]:
    """Change the episode, the urgent flag or the confirmed checklist items (draft, or information asked)."""
    return _act(
        request,
        case_id,
        "edit",
        case_update,
        episode=payload.episode(),
        urgent=payload.urgent,
        checklist_confirmed=payload.checklist_confirmed,
    )


@router.post("/{case_id}/submit", response=CaseOut, url_name="cases_submit")
def submit_case(request: HttpRequest, case_id: int) -> dict[str, object]:
    """Submit a complete draft to its group (needs a valid care consent)."""
    return _act(request, case_id, "submit", case_submit)


@router.post("/{case_id}/accept", response=CaseOut, url_name="cases_accept")
def accept_case(request: HttpRequest, case_id: int) -> dict[str, object]:
    """Accept a submitted case (the group's coordinators)."""
    return _act(request, case_id, "accept", case_accept)


class DeclineIn(Schema):
    reason: str = Field(min_length=1, max_length=2_000)


@router.post("/{case_id}/decline", response=CaseOut, url_name="cases_decline")
def decline_case(request: HttpRequest, case_id: int, payload: DeclineIn) -> dict[str, object]:
    """Decline a submitted case with a reason (the group's coordinators)."""
    return _act(request, case_id, "decline", case_decline, reason=payload.reason)


class ScheduleIn(Schema):
    discussion_on: datetime = Field(description="ISO 8601 date and time with its offset, in the future")

    @field_validator("discussion_on")
    @classmethod
    def aware(cls, value: datetime) -> datetime:
        if value.tzinfo is None:
            raise ValueError("give the time zone offset, e.g. 2026-05-12T11:00:00+02:00")
        return value


@router.post("/{case_id}/schedule", response=CaseOut, url_name="cases_schedule")
def schedule_case(request: HttpRequest, case_id: int, payload: ScheduleIn) -> dict[str, object]:
    """Set or move the discussion date of an accepted case (group coordinators; needs consent)."""
    return _act(request, case_id, "schedule", case_schedule, discussion_on=payload.discussion_on)


class AttachmentOut(Schema):
    id: int
    name: str
    description: str
    kind: str
    content_type: str
    size: int
    sha256: str
    checklist_key: str
    uploaded_at: datetime


@router.get("/{case_id}/attachments", response=list[AttachmentOut], url_name="cases_attachments")
def list_attachments(request: HttpRequest, case_id: int) -> list[CaseAttachment]:
    """The files attached to a case."""
    required_scope(request, TokenScope.READ)
    case = _visible_case(request, case_id)
    return list(case.attachments.all())


@router.post("/{case_id}/attachments", response={201: AttachmentOut}, url_name="cases_attachment_upload")
def upload_attachment(
    request: HttpRequest,
    case_id: int,
    file: File[UploadedFile],
    description: Form[str] = "",
    checklist_key: Form[str] = "",
) -> Status[CaseAttachment]:
    """Attach a PDF, PNG, JPEG, DOCX or ODT file (multipart/form-data), checked on its content and size."""
    required_scope(request, TokenScope.WRITE)
    case = _visible_case(request, case_id)
    actor = api_user(request)
    attachment = case_action_run(
        case=case,
        actor=actor,
        action="attach",
        run=lambda: attachment_add(
            case=case, actor=actor, upload=file, description=description, checklist_key=checklist_key
        ),
    )
    return Status(201, attachment)


@router.get("/{case_id}/attachments/{attachment_id}", url_name="cases_attachment_download")
def download_attachment(request: HttpRequest, case_id: int, attachment_id: int) -> FileResponse:
    """The file itself (audited)."""
    required_scope(request, TokenScope.READ)
    try:
        attachment = attachment_get(actor=api_user(request), case_pk=case_id, pk=attachment_id)
    except Http404 as exc:
        raise DomainError("not_found", "No such attachment.") from exc
    with transaction.atomic():
        attachment_download_record(attachment=attachment, actor=api_user(request))
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError as exc:
        raise DomainError("not_found", "The file is missing from storage.") from exc
    response = FileResponse(
        handle, as_attachment=True, filename=attachment.name, content_type=attachment.content_type
    )
    response["Cache-Control"] = "private, no-store"
    return response
