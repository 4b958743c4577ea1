"""Writes for patients and consents: enrolment (with its first consent), updates, consents and their
withdrawal, blank consent forms. Each checks the rules, writes in one transaction and audits itself.

Enrolment records the first consent in the same step: a clinician enrols a patient because a signed care
consent is in hand, and a patient without one could do nothing in Concilium but wait. So the enrolment form
asks for the signed care consent, and nothing is written unless both are right.
"""

import re
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

from django.core.files.base import File
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from concilium.audit.services import action_run, audit_read, audit_record
from concilium.core.text import text_problem
from concilium.directory.reference import ISO_3166_ALPHA2
from concilium.patients.crypto import encrypt_local_id, local_id_digest, local_id_digests
from concilium.patients.errors import PatientError
from concilium.patients.errors import PatientErrorCode as Code
from concilium.patients.models import (
    EU_LANGUAGES,
    Consent,
    ConsentFormTemplate,
    DiagnosisCode,
    Patient,
    Sex,
    Signer,
)
from concilium.patients.selectors import has_valid_care_consent
from concilium.patients.signals import care_consent_lost
from concilium.patients.uploads import (
    BLANK_FORM_KINDS,
    SIGNED_CONSENT_KINDS,
    FileKind,
    file_size,
    max_upload_bytes,
    sniff,
)

T = TypeVar("T")

#: Pseudonym letters: digits and capitals without the look-alikes 0/O, 1/I/L and U.
PSEUDONYM_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
PSEUDONYM_PREFIX = "PX"
#: 8 random letters of 30: 6.6 * 10^11 pseudonyms, drawn with the operating system's CSPRNG.
PSEUDONYM_LENGTH = 8
EARLIEST_BIRTH_YEAR = 1900
LOCAL_ID_MAX = 64
REASON_MAX = 2000
VERSION_PATTERN = re.compile(r"^[0-9A-Za-z][0-9A-Za-z._-]{0,19}$")
EU_LANGUAGE_CODES = frozenset(code for code, _label in EU_LANGUAGES)


@dataclass(frozen=True)
class ConsentData:
    """A signed consent as the clinician records it."""

    signed_on: date
    signer: str
    language: str
    document: File
    for_care: bool = True
    for_registry: bool = False
    for_research_contact: bool = False
    form: ConsentFormTemplate | None = None
    form_version: str = ""
    guardian_name: str = ""


def new_pseudonym() -> str:
    """A random pseudonym such as "PX-7K3M-9QX2" (unguessable: it says nothing about the patient)."""
    body = "".join(secrets.choice(PSEUDONYM_ALPHABET) for _ in range(PSEUDONYM_LENGTH))
    half = PSEUDONYM_LENGTH // 2
    return f"{PSEUDONYM_PREFIX}-{body[:half]}-{body[half:]}"


def _unused_pseudonym() -> str:
    for _attempt in range(20):
        pseudonym = new_pseudonym()
        if not Patient.objects.filter(pseudonym=pseudonym).exists():
            return pseudonym
    raise RuntimeError("no unused pseudonym found in 20 draws")  # 20 collisions in 6.6e11: never


def _text(value: str, *, field: str, label: str, max_length: int, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise PatientError(Code.INVALID_VALUE, _("%(label)s is required.") % {"label": label}, field)
    problem = text_problem(value, limit=max_length, multiline=False)
    if problem:
        raise PatientError(Code.INVALID_VALUE, problem, field)
    return value


def _check_birth(birth_year: int, birth_month: int) -> None:
    today = timezone.localdate()
    if not 1 <= birth_month <= 12:
        raise PatientError(
            Code.INVALID_VALUE, _("The month of birth must be between 1 and 12."), "birth_month"
        )
    if birth_year < EARLIEST_BIRTH_YEAR:
        raise PatientError(Code.INVALID_VALUE, _("The year of birth is not plausible."), "birth_year")
    if (birth_year, birth_month) > (today.year, today.month):
        raise PatientError(Code.BIRTH_IN_FUTURE, _("The date of birth is in the future."), "birth_month")


def _check_document(upload: File | None, kinds: tuple[FileKind, ...], field: str = "document") -> FileKind:
    if upload is None:
        raise PatientError(Code.DOCUMENT_EMPTY, _("Attach the document."), field)
    size = file_size(upload)
    if size == 0:
        raise PatientError(Code.DOCUMENT_EMPTY, _("The file is empty."), field)
    if size > max_upload_bytes():
        raise PatientError(
            Code.DOCUMENT_TOO_LARGE,
            _("The file is larger than %(mb)d MB.") % {"mb": max_upload_bytes() // (1024 * 1024)},
            field,
        )
    kind = sniff(upload, kinds)
    if kind is None:
        allowed = ", ".join(k.extension.upper() for k in kinds)
        raise PatientError(
            Code.DOCUMENT_TYPE,
            _("This file is not a %(kinds)s document (its content was checked, not its name).")
            % {"kinds": allowed},
            field,
        )
    return kind


def _stored_name(kind: FileKind) -> str:
    """A random file name: the uploaded one might carry the patient's name."""
    return f"{secrets.token_hex(16)}.{kind.extension}"


def _check_consent(data: ConsentData, *, birth_year: int, birth_month: int) -> tuple[FileKind, str, str]:
    """Validate a consent; returns the document kind, the form version and the guardian's name."""
    if not (data.for_care or data.for_registry or data.for_research_contact):
        raise PatientError(
            Code.PURPOSE_REQUIRED, _("Tick at least one purpose the consent covers."), "for_care"
        )
    if data.language not in EU_LANGUAGE_CODES:
        raise PatientError(Code.INVALID_VALUE, _("Choose one of the languages offered."), "language")
    if data.signer not in Signer.values:
        raise PatientError(Code.INVALID_VALUE, _("Say who signed the consent."), "signer")
    guardian_name = ""
    if data.signer == Signer.GUARDIAN:
        guardian_name = _text(
            data.guardian_name,
            field="guardian_name",
            label=_("The guardian's name"),
            max_length=200,
            required=False,
        )
        if not guardian_name:
            raise PatientError(
                Code.GUARDIAN_NAME_REQUIRED,
                _("Give the name of the legal guardian who signed."),
                "guardian_name",
            )
    today = timezone.localdate()
    if data.signed_on > today:
        raise PatientError(
            Code.SIGNED_IN_FUTURE, _("The consent cannot be signed in the future."), "signed_on"
        )
    if data.signed_on < date(birth_year, birth_month, 1):
        raise PatientError(
            Code.SIGNED_BEFORE_BIRTH,
            _("The consent cannot be signed before the patient was born."),
            "signed_on",
        )
    if data.form is not None:
        if data.form.language != data.language:
            raise PatientError(
                Code.FORM_LANGUAGE_MISMATCH,
                _("The form chosen is in another language than the consent: choose the form in %(language)s.")
                % {"language": dict(EU_LANGUAGES)[data.language]},
                "form",
            )
        version = data.form.version
    else:
        version = _text(
            data.form_version,
            field="form_version",
            label=_("The form version"),
            max_length=20,
            required=False,
        )
        if not version:
            raise PatientError(
                Code.FORM_VERSION_REQUIRED,
                _("Choose the form the patient signed, or give the version of your own form."),
                "form_version",
            )
    kind = _check_document(data.document, SIGNED_CONSENT_KINDS)
    return kind, version, guardian_name


def _consent_create(
    *, patient: Patient, data: ConsentData, actor: Any, checked: tuple[FileKind, str, str]
) -> Consent:
    kind, version, guardian_name = checked
    consent = Consent(
        patient=patient,
        for_care=data.for_care,
        for_registry=data.for_registry,
        for_research_contact=data.for_research_contact,
        language=data.language,
        form=data.form,
        form_version=version,
        signer=data.signer,
        guardian_name=guardian_name,
        signed_on=data.signed_on,
        document_type=kind.content_type,
        recorded_by=actor,
    )
    data.document.seek(0)
    consent.document.save(_stored_name(kind), data.document, save=False)
    consent.save()
    return consent


def patient_consent_refresh(*, patient: Patient) -> bool:
    """Recompute the patient's denormalised `has_care_consent`; returns the new value."""
    valid = has_valid_care_consent(patient)
    if valid != patient.has_care_consent:
        patient.has_care_consent = valid
        patient.save(update_fields=["has_care_consent"])
    return valid


def _consent_detail(consent: Consent) -> dict[str, object]:
    purposes = [
        name
        for name, on in (
            ("care", consent.for_care),
            ("registry", consent.for_registry),
            ("research_contact", consent.for_research_contact),
        )
        if on
    ]
    return {
        "consent_id": consent.pk,
        "purposes": purposes,
        "language": consent.language,
        "form_version": consent.form_version,
        "signer": consent.signer,
    }


@transaction.atomic
def patient_enrol(
    *,
    actor: Any,
    local_id: str,
    birth_year: int,
    birth_month: int,
    sex: str,
    country: str,
    diagnosis: str,
    diagnosis_code: DiagnosisCode | None = None,
    consent: ConsentData,
) -> Patient:
    """Enrol a patient of the actor's hospital with the signed care consent that allows it."""
    if not getattr(actor, "hospital_id", None):
        raise PatientError(Code.NO_HOSPITAL, _("Your account is not linked to a hospital."))
    local_id = _text(local_id, field="local_id", label=_("The local identifier"), max_length=LOCAL_ID_MAX)
    _check_birth(birth_year, birth_month)
    if sex not in Sex.values:
        raise PatientError(Code.INVALID_VALUE, _("Choose one of the values offered."), "sex")
    country = (country or "").strip().upper()
    if country not in ISO_3166_ALPHA2:
        raise PatientError(Code.INVALID_VALUE, _("Choose a country."), "country")
    diagnosis = _text(diagnosis, field="diagnosis", label=_("The diagnosis"), max_length=300)
    if not consent.for_care:
        raise PatientError(
            Code.CARE_CONSENT_REQUIRED,
            _("A patient is enrolled with a signed consent to care (discussion with experts)."),
            "for_care",
        )
    checked = _check_consent(consent, birth_year=birth_year, birth_month=birth_month)
    duplicate = (
        Patient.objects.filter(hospital_id=actor.hospital_id, local_id_digest__in=local_id_digests(local_id))
        .values_list("pseudonym", flat=True)
        .first()
    )
    if duplicate is not None:
        raise _duplicate(duplicate)
    patient = Patient(
        pseudonym=_unused_pseudonym(),
        hospital_id=actor.hospital_id,
        birth_year=birth_year,
        birth_month=birth_month,
        sex=sex,
        country=country,
        local_id_encrypted=encrypt_local_id(local_id),
        local_id_digest=local_id_digest(local_id),
        diagnosis=diagnosis,
        diagnosis_code=diagnosis_code,
        enrolled_by=actor,
    )
    try:
        with transaction.atomic():
            patient.save()
    except IntegrityError as exc:  # enrolled by a colleague a moment ago: the constraint decides
        raise _duplicate("") from exc
    first = _consent_create(patient=patient, data=consent, actor=actor, checked=checked)
    patient_consent_refresh(patient=patient)
    audit_record(
        action="patient.enrol",
        actor=actor,
        obj=patient,
        patient_ref=patient.pseudonym,
        detail={"hospital_id": patient.hospital_id, "diagnosis_code": getattr(diagnosis_code, "code", "")},
    )
    audit_record(
        action="consent.record",
        actor=actor,
        obj=first,
        patient_ref=patient.pseudonym,
        detail=_consent_detail(first),
    )
    return patient


def _duplicate(pseudonym: str) -> PatientError:
    if pseudonym:
        message = _(
            "Your hospital has already enrolled a patient with this local identifier, as %(pseudonym)s."
        )
        message %= {"pseudonym": pseudonym}
    else:
        message = _("Your hospital has already enrolled a patient with this local identifier.")
    return PatientError(Code.DUPLICATE_LOCAL_ID, message, "local_id")


@transaction.atomic
def patient_update(
    *,
    patient: Patient,
    actor: Any,
    diagnosis: str,
    diagnosis_code: DiagnosisCode | None,
) -> Patient:
    """Correct or refine the diagnosis and its code."""
    diagnosis = _text(diagnosis, field="diagnosis", label=_("The diagnosis"), max_length=300)
    changed = []
    if diagnosis != patient.diagnosis:
        patient.diagnosis = diagnosis
        changed.append("diagnosis")
    if getattr(diagnosis_code, "pk", None) != patient.diagnosis_code_id:
        patient.diagnosis_code = diagnosis_code
        changed.append("diagnosis_code")
    if changed:
        patient.save(update_fields=changed)
        audit_record(
            action="patient.update",
            actor=actor,
            obj=patient,
            patient_ref=patient.pseudonym,
            detail={"fields": changed, "diagnosis_code": getattr(diagnosis_code, "code", "")},
        )
    return patient


@transaction.atomic
def consent_record(*, patient: Patient, actor: Any, data: ConsentData) -> Consent:
    """Record a further signed consent (a new form version, a new purpose, consent after a withdrawal)."""
    patient = Patient.objects.select_for_update().get(pk=patient.pk)
    checked = _check_consent(data, birth_year=patient.birth_year, birth_month=patient.birth_month)
    consent = _consent_create(patient=patient, data=data, actor=actor, checked=checked)
    patient_consent_refresh(patient=patient)
    audit_record(
        action="consent.record",
        actor=actor,
        obj=consent,
        patient_ref=patient.pseudonym,
        detail=_consent_detail(consent),
    )
    return consent


@transaction.atomic
def consent_withdraw(*, consent: Consent, actor: Any, withdrawn_on: date, reason: str) -> Consent:
    """Withdraw a consent (every purpose it covers). When the patient is left without a valid care consent,
    their open cases stop in the same transaction and panel members lose access."""
    consent = Consent.objects.select_for_update().select_related("patient").get(pk=consent.pk)
    if consent.withdrawn_on is not None:
        raise PatientError(Code.ALREADY_WITHDRAWN, _("This consent is already withdrawn."))
    if withdrawn_on > timezone.localdate():
        raise PatientError(
            Code.WITHDRAWN_IN_FUTURE, _("The withdrawal cannot be dated in the future."), "withdrawn_on"
        )
    if withdrawn_on < consent.signed_on:
        raise PatientError(
            Code.WITHDRAWN_BEFORE_SIGNED,
            _("The withdrawal cannot be dated before the consent was signed."),
            "withdrawn_on",
        )
    reason = (reason or "").strip()
    if not reason:
        raise PatientError(Code.REASON_REQUIRED, _("Say why the consent is withdrawn."), "reason")
    problem = text_problem(reason, limit=REASON_MAX)
    if problem:
        raise PatientError(Code.INVALID_VALUE, problem, "reason")
    consent.withdrawn_on = withdrawn_on
    consent.withdrawal_reason = reason
    consent.withdrawn_by = actor
    consent.save(update_fields=["withdrawn_on", "withdrawal_reason", "withdrawn_by"])
    patient = consent.patient
    had_care = patient.has_care_consent
    has_care = patient_consent_refresh(patient=patient)
    stopped = 0
    if consent.for_care and not has_care:
        # Receivers answer with the number of cases they stopped (django-stubs types answers as str | None).
        answers: Sequence[tuple[object, object]] = care_consent_lost.send(
            sender=Patient, patient=patient, actor=actor
        )
        stopped = sum(count for _receiver, count in answers if isinstance(count, int))
    audit_record(
        action="consent.withdraw",
        actor=actor,
        obj=consent,
        patient_ref=patient.pseudonym,
        detail={
            "consent_id": consent.pk,
            "care_consent_lost": had_care and not has_care,
            "cases_stopped": stopped,
        },
    )
    return consent


def patient_read_record(
    *,
    actor: Any,
    action: str,
    patient: Patient | None = None,
    obj: Any = None,
    detail: dict[str, object] | None = None,
) -> None:
    """Audit a read of patient data (a page, a document, an API answer)."""
    audit_read(
        action=action,
        actor=actor,
        obj=obj if obj is not None else patient,
        patient_ref=patient.pseudonym if patient is not None else "",
        detail=detail,
    )


@transaction.atomic
def consent_form_upload(
    *,
    actor: Any,
    language: str,
    version: str,
    title: str,
    document: File,
) -> ConsentFormTemplate:
    """Add a blank consent form in one language and version; it becomes that language's current form."""
    if language not in EU_LANGUAGE_CODES:
        raise PatientError(Code.INVALID_VALUE, _("Choose one of the languages offered."), "language")
    version = (version or "").strip()
    if not VERSION_PATTERN.match(version):
        raise PatientError(
            Code.INVALID_VALUE,
            _("Give a version of up to 20 letters, digits, dots or dashes, such as 1.0 or 2024-03."),
            "version",
        )
    title = _text(title, field="title", label=_("The title"), max_length=200)
    kind = _check_document(document, BLANK_FORM_KINDS)
    if ConsentFormTemplate.objects.filter(language=language, version=version).exists():
        raise PatientError(
            Code.FORM_VERSION_EXISTS,
            _("This version exists in this language: give a new version."),
            "version",
        )
    ConsentFormTemplate.objects.filter(language=language, is_current=True).update(is_current=False)
    template = ConsentFormTemplate(
        language=language, version=version, title=title, is_current=True, uploaded_by=actor
    )
    document.seek(0)
    template.document.save(_stored_name(kind), document, save=False)
    try:
        with transaction.atomic():
            template.save()
    except IntegrityError as exc:
        raise PatientError(
            Code.FORM_VERSION_EXISTS,
            _("This version exists in this language: give a new version."),
            "version",
        ) from exc
    audit_record(
        action="consent_form.upload",
        actor=actor,
        obj=template,
        detail={"language": language, "version": version},
    )
    return template


def patient_action_run(*, actor: Any, action: str, run: Callable[[], T], patient: Patient | None = None) -> T:
    """Run one write on patient data (an enrolment, a consent, an update) for an entry point; a refusal is
    audited under `action` (outcome denied, with its code), then raised on."""
    return action_run(
        actor=actor, action=action, run=run, obj=patient, patient_ref=patient.pseudonym if patient else ""
    )
