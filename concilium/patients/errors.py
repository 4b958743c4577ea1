"""Errors of the patient services, with stable codes and their kinds (core.errors maps kinds to HTTP)."""

from enum import StrEnum

from concilium.core.errors import DomainError, ErrorKind, register_codes


class PatientErrorCode(StrEnum):
    NO_HOSPITAL = "no_hospital"
    INVALID_VALUE = "invalid_value"
    BIRTH_IN_FUTURE = "birth_in_future"
    DUPLICATE_LOCAL_ID = "duplicate_local_id"
    UNKNOWN_DIAGNOSIS_CODE = "unknown_diagnosis_code"
    CARE_CONSENT_REQUIRED = "care_consent_required"
    PURPOSE_REQUIRED = "purpose_required"
    GUARDIAN_NAME_REQUIRED = "guardian_name_required"
    SIGNED_IN_FUTURE = "signed_in_future"
    SIGNED_BEFORE_BIRTH = "signed_before_birth"
    FORM_LANGUAGE_MISMATCH = "form_language_mismatch"
    FORM_VERSION_REQUIRED = "form_version_required"
    DOCUMENT_TYPE = "document_type_not_allowed"
    DOCUMENT_TOO_LARGE = "document_too_large"
    DOCUMENT_EMPTY = "document_empty"
    ALREADY_WITHDRAWN = "already_withdrawn"
    WITHDRAWN_BEFORE_SIGNED = "withdrawn_before_signed"
    WITHDRAWN_IN_FUTURE = "withdrawn_in_future"
    REASON_REQUIRED = "reason_required"
    FORM_VERSION_EXISTS = "form_version_exists"


register_codes(
    {
        **{code: ErrorKind.INVALID for code in PatientErrorCode},
        PatientErrorCode.NO_HOSPITAL: ErrorKind.FORBIDDEN,
        PatientErrorCode.DOCUMENT_TOO_LARGE: ErrorKind.TOO_LARGE,
        PatientErrorCode.DUPLICATE_LOCAL_ID: ErrorKind.CONFLICT,
        PatientErrorCode.ALREADY_WITHDRAWN: ErrorKind.CONFLICT,
        PatientErrorCode.FORM_VERSION_EXISTS: ErrorKind.CONFLICT,
    }
)


class PatientError(DomainError):
    """A refused change. `field` names the form field the message belongs to ("" for the whole form)."""

    def __init__(self, code: PatientErrorCode, message: str, field: str = "") -> None:
        super().__init__(code, message, field=field)
