"""JSON API for patients, mounted at /api/patients: my hospital's patients, enrolment with the signed care
consent (multipart), consents (list, record as multipart, withdraw) and diagnosis code suggestions.

Same rules as the pages: treating roles of the patient's hospital only; another hospital's patient is a 404;
GET and the search (a POST, so that its term stays out of addresses) need the read scope, other POSTs the
write scope; every read of patient data is audited.
"""

from datetime import date, datetime

from django.http import Http404, HttpRequest
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import field_validator

from concilium.accounts.api_auth import api_user, required_scope
from concilium.accounts.models import TokenScope
from concilium.core.errors import CommonCode, DomainError, ErrorKind, register_codes
from concilium.core.pagination import MAX_PAGE
from concilium.core.text import find_control_character
from concilium.patients.crypto import LocalIdDecryptionError, decrypt_local_id
from concilium.patients.models import Consent, ConsentFormTemplate, Patient
from concilium.patients.permissions import PatientAction, PatientPolicy
from concilium.patients.selectors import (
    ConsentState,
    consent_get,
    consents_of,
    diagnosis_code_lookup,
    diagnosis_code_search,
    patient_get,
    patients_for,
)
from concilium.patients.services import (
    ConsentData,
    consent_record,
    consent_withdraw,
    patient_action_run,
    patient_enrol,
    patient_read_record,
)

router = Router(tags=["patients"])

PAGE_SIZE = 25
register_codes({"unknown_form": ErrorKind.INVALID})


def _no_control(value: str) -> str:
    if find_control_character(value) is not None:
        raise ValueError("must not contain control characters")
    return value


class PatientFilters(Schema):
    consent: ConsentState | None = Field(None, description="valid, missing or withdrawn")
    page: int = Field(1, ge=1, le=MAX_PAGE)


class PatientSearchIn(Schema):
    """A search of the list, sent in the body: a term never travels in an address."""

    q: str = Field("", max_length=100, description="pseudonym, diagnosis, code or exact local identifier")
    consent: ConsentState | None = Field(None, description="valid, missing or withdrawn")
    page: int = Field(1, ge=1, le=MAX_PAGE)

    @field_validator("q")
    @classmethod
    def clean_q(cls, value: str) -> str:
        return _no_control(value).strip()


class DiagnosisCodeOut(Schema):
    system: str
    code: str
    label: str


class PatientOut(Schema):
    id: int
    pseudonym: str
    birth_year: int
    birth_month: int
    sex: str
    country: str
    diagnosis: str
    diagnosis_code: DiagnosisCodeOut | None
    has_care_consent: bool
    enrolled_at: datetime


class PatientListItemOut(PatientOut):
    case_count: int


class PatientDetailOut(PatientOut):
    local_id: str | None = Field(description="the hospital's own identifier (only ever shown to it)")


class PatientPageOut(Schema):
    items: list[PatientListItemOut]
    page: int
    per_page: int
    has_next: bool
    total: int


class ConsentOut(Schema):
    id: int
    for_care: bool
    for_registry: bool
    for_research_contact: bool
    language: str
    form_id: int | None
    form_version: str
    signer: str
    guardian_name: str
    signed_on: date
    document_type: str
    recorded_at: datetime
    withdrawn_on: date | None
    withdrawal_reason: str
    valid_today: bool

    @staticmethod
    def resolve_valid_today(obj: Consent) -> bool:
        from django.utils import timezone

        return obj.is_valid_on(timezone.localdate())


class ConsentIn(Schema):
    for_care: bool = True
    for_registry: bool = False
    for_research_contact: bool = False
    language: str = Field(max_length=2, description="ISO 639-1 code of one of the 24 EU languages")
    form_id: int | None = Field(None, description="the blank form signed (its language must match)")
    form_version: str = Field(
        "", max_length=20, description="version of the hospital's own form, if no form_id"
    )
    signer: str = Field(description="patient or guardian")
    guardian_name: str = Field("", max_length=200)
    signed_on: date

    @field_validator("language", "form_version", "signer", "guardian_name")
    @classmethod
    def clean_text(cls, value: str) -> str:
        return _no_control(value)


class EnrolIn(ConsentIn):
    local_id: str = Field(max_length=64)
    birth_year: int
    birth_month: int = Field(ge=1, le=12)
    sex: str
    country: str = Field(max_length=2)
    diagnosis: str = Field(max_length=300)
    diagnosis_code: str = Field("", max_length=40, description='e.g. "C71.9" or "ORPHA:319"')

    @field_validator("local_id", "sex", "country", "diagnosis", "diagnosis_code")
    @classmethod
    def clean_patient_text(cls, value: str) -> str:
        return _no_control(value)


class WithdrawIn(Schema):
    withdrawn_on: date
    reason: str = Field(max_length=2000)

    @field_validator("reason")
    @classmethod
    def clean_reason(cls, value: str) -> str:
        return _no_control(value)


def _patient(request: HttpRequest, patient_id: int) -> Patient:
    try:
        return patient_get(actor=api_user(request), patient_id=patient_id)
    except Http404 as exc:
        raise DomainError("not_found", "No such patient.") from exc


def _require(request: HttpRequest, action: PatientAction) -> None:
    if not PatientPolicy.can(api_user(request), action):
        raise DomainError("forbidden", "You may not do this with patients.")


def _consent_data(payload: ConsentIn, document: UploadedFile) -> ConsentData:
    form = None
    if payload.form_id is not None:
        form = ConsentFormTemplate.objects.filter(pk=payload.form_id, is_current=True).first()
        if form is None:
            raise DomainError("unknown_form", "No current consent form has this id.")
    return ConsentData(
        signed_on=payload.signed_on,
        signer=payload.signer,
        language=payload.language,
        document=document,
        for_care=payload.for_care,
        for_registry=payload.for_registry,
        for_research_contact=payload.for_research_contact,
        form=form,
        form_version=payload.form_version,
        guardian_name=payload.guardian_name,
    )


def _detail(patient: Patient) -> dict[str, object]:
    try:
        local_id: str | None = decrypt_local_id(patient.local_id_encrypted)
    except LocalIdDecryptionError:
        local_id = None
    return {**{field: getattr(patient, field) for field in PatientOut.model_fields}, "local_id": local_id}


def _patient_page(request: HttpRequest, *, q: str, consent: str, page: int) -> dict[str, object]:
    required_scope(request, TokenScope.READ)
    _require(request, PatientAction.VIEW)
    actor = api_user(request)
    queryset = patients_for(actor=actor, q=q, consent=consent)
    offset = (page - 1) * PAGE_SIZE
    rows = list(queryset[offset : offset + PAGE_SIZE + 1])
    items = rows[:PAGE_SIZE]
    patient_read_record(
        actor=actor,
        action="patient.list",
        detail={
            "page": page,
            "patient_ids": [patient.pk for patient in items],
            "api": True,
            "searched": bool(q),
        },
    )
    return {
        "items": items,
        "page": page,
        "per_page": PAGE_SIZE,
        "has_next": len(rows) > PAGE_SIZE,
        "total": queryset.count(),
    }


@router.get("/", response=PatientPageOut, url_name="patients_list")
def list_patients(request: HttpRequest, filters: Query[PatientFilters]) -> dict[str, object]:
    """Your hospital's patients, newest first, 25 a page, filtered by consent state. To search, POST the
    term to `/api/patients/search`: a `q` in the address is refused (addresses end up in logs)."""
    if "q" in request.GET:
        raise DomainError(
            CommonCode.SEARCH_IN_ADDRESS,
            "Send the search term in the body of POST /api/patients/search, never in the URL.",
        )
    return _patient_page(request, q="", consent=filters.consent or "", page=filters.page)


@router.post("/search", response=PatientPageOut, url_name="patients_search")
def search_patients(request: HttpRequest, payload: PatientSearchIn) -> dict[str, object]:
    """Your hospital's patients matching `q` (pseudonym, diagnosis, code or exact local identifier), newest
    first, 25 a page: a read, sent as a POST so that the term travels in the body (read scope)."""
    return _patient_page(request, q=payload.q, consent=payload.consent or "", page=payload.page)


@router.get("/diagnosis-codes", response=list[DiagnosisCodeOut], url_name="patients_diagnosis_codes")
def diagnosis_codes(request: HttpRequest, q: str = Query("", max_length=100)) -> list[object]:
    """ICD-10 and ORPHA codes whose code starts with `q` or whose label holds it (20 at most)."""
    required_scope(request, TokenScope.READ)
    _require(request, PatientAction.ENROL)
    if find_control_character(q) is not None:
        raise DomainError("invalid_request", "q must not contain control characters.")
    return list(diagnosis_code_search(q))


@router.get("/{patient_id}", response=PatientDetailOut, url_name="patients_get")
def get_patient(request: HttpRequest, patient_id: int) -> dict[str, object]:
    """One patient of your hospital, with its local identifier."""
    required_scope(request, TokenScope.READ)
    patient = _patient(request, patient_id)
    patient_read_record(
        actor=api_user(request),
        action="patient.view",
        patient=patient,
        detail={"view": "api"},
    )
    return _detail(patient)


@router.post("/", response={201: PatientDetailOut}, url_name="patients_enrol")
def enrol(request: HttpRequest, payload: Form[EnrolIn], document: File[UploadedFile]) -> Status:
    """Enrol a patient with the signed care consent (multipart: the fields and the signed `document`)."""
    required_scope(request, TokenScope.WRITE)
    _require(request, PatientAction.ENROL)
    code = None
    if payload.diagnosis_code.strip():
        code = diagnosis_code_lookup(payload.diagnosis_code)
        if code is None:
            raise DomainError("unknown_diagnosis_code", "No diagnosis code matches.")
    actor = api_user(request)
    patient = patient_action_run(
        actor=actor,
        action="patient.enrol",
        run=lambda: patient_enrol(
            actor=actor,
            local_id=payload.local_id,
            birth_year=payload.birth_year,
            birth_month=payload.birth_month,
            sex=payload.sex,
            country=payload.country,
            diagnosis=payload.diagnosis,
            diagnosis_code=code,
            consent=_consent_data(payload, document),
        ),
    )
    return Status(201, _detail(patient))


@router.get("/{patient_id}/consents", response=list[ConsentOut], url_name="patients_consents")
def list_consents(request: HttpRequest, patient_id: int) -> list[Consent]:
    """The patient's consents, newest signature first."""
    required_scope(request, TokenScope.READ)
    patient = _patient(request, patient_id)
    consents = consents_of(patient=patient)
    patient_read_record(
        actor=api_user(request),
        action="consent.list",
        patient=patient,
        detail={"consent_ids": [consent.pk for consent in consents]},
    )
    return consents


@router.post("/{patient_id}/consents", response={201: ConsentOut}, url_name="patients_consent_record")
def record_consent(
    request: HttpRequest, patient_id: int, payload: Form[ConsentIn], document: File[UploadedFile]
) -> Status:
    """Record a further signed consent (multipart: the fields and the signed `document`)."""
    required_scope(request, TokenScope.WRITE)
    patient = _patient(request, patient_id)
    actor = api_user(request)
    if not PatientPolicy.can(actor, PatientAction.CONSENT_RECORD, patient):
        raise DomainError("not_found", "No such patient.")
    consent = patient_action_run(
        actor=actor,
        action="consent.record",
        patient=patient,
        run=lambda: consent_record(patient=patient, actor=actor, data=_consent_data(payload, document)),
    )
    return Status(201, consent)


@router.post(
    "/{patient_id}/consents/{consent_id}/withdraw", response=ConsentOut, url_name="patients_consent_withdraw"
)
def withdraw_consent(request: HttpRequest, patient_id: int, consent_id: int, payload: WithdrawIn) -> Consent:
    """Withdraw a consent; if no valid care consent remains, the patient's open cases stop."""
    required_scope(request, TokenScope.WRITE)
    patient = _patient(request, patient_id)
    actor = api_user(request)
    try:
        consent = consent_get(actor=actor, patient=patient, consent_id=consent_id)
    except Http404 as exc:
        raise DomainError("not_found", "No such consent.") from exc
    if not PatientPolicy.can(actor, PatientAction.CONSENT_WITHDRAW, patient):
        raise DomainError("not_found", "No such patient.")
    return patient_action_run(
        actor=actor,
        action="consent.withdraw",
        patient=patient,
        run=lambda: consent_withdraw(
            consent=consent, actor=actor, withdrawn_on=payload.withdrawn_on, reason=payload.reason
        ),
    )
