"""Enrolment, updates, consents and their withdrawal: the rules of the patient services."""

import re
from datetime import date, timedelta

import pytest
from django.db import connection
from django.utils import timezone

from concilium.audit.models import AuditEvent
from concilium.cases.models import Case, CaseStatus
from concilium.patients.errors import PatientError, PatientErrorCode
from concilium.patients.models import Consent, ConsentFormTemplate, Patient
from concilium.patients.services import (
    consent_form_upload,
    consent_record,
    consent_withdraw,
    new_pseudonym,
    patient_enrol,
    patient_update,
)
from tests.factories import TINY_PDF, CaseFactory, ConsentFactory, PatientFactory
from tests.patients.conftest import EXE, HTML, JPEG, PNG, consent_data, enrol_kwargs, upload

pytestmark = pytest.mark.django_db


def _refused(code: PatientErrorCode, call, **kwargs) -> PatientError:  # type: ignore[no-untyped-def]
    with pytest.raises(PatientError) as caught:
        call(**kwargs)
    assert caught.value.code == code
    return caught.value


# --- enrolment ----------------------------------------------------------------------------------------------


def test_enrolment_creates_a_pseudonymised_patient_of_the_actors_hospital_with_its_care_consent(requester):
    patient = patient_enrol(actor=requester, **enrol_kwargs())
    assert re.fullmatch(r"PX-[2-9A-HJKMNP-TV-Z]{4}-[2-9A-HJKMNP-TV-Z]{4}", patient.pseudonym)
    assert patient.hospital == requester.hospital
    assert patient.enrolled_by == requester
    assert patient.has_care_consent
    consent = patient.consents.get()
    assert consent.for_care and consent.signer == "guardian" and consent.guardian_name == "Gina Guardian"
    assert consent.document_type == "application/pdf"
    assert consent.recorded_by == requester


def test_pseudonyms_are_random_and_do_not_repeat():
    drawn = {new_pseudonym() for _ in range(2000)}
    assert len(drawn) == 2000


def test_the_stored_document_name_never_keeps_the_uploaded_name(requester):
    document = upload(name="Dupont_Marie_consent.pdf")
    patient = patient_enrol(actor=requester, **enrol_kwargs(consent=consent_data(document=document)))
    assert "Dupont" not in patient.consents.get().document.name


def test_a_duplicate_local_identifier_in_the_same_hospital_is_refused(requester, expert):
    first = patient_enrol(actor=requester, **enrol_kwargs(local_id="MRN-4711"))
    error = _refused(
        PatientErrorCode.DUPLICATE_LOCAL_ID,
        patient_enrol,
        actor=expert,
        **enrol_kwargs(local_id="  mrn 4711 ", consent=consent_data()),
    )
    assert error.field == "local_id"
    assert first.pseudonym in error.message
    assert Patient.objects.count() == 1
    assert Consent.objects.count() == 1


def test_the_same_local_identifier_at_another_hospital_is_another_patient(requester, outsider):
    patient_enrol(actor=requester, **enrol_kwargs(local_id="MRN-4711"))
    patient_enrol(actor=outsider, **enrol_kwargs(local_id="MRN-4711", consent=consent_data()))
    assert Patient.objects.count() == 2


def test_the_database_refuses_a_duplicate_local_identifier_even_past_the_service(requester):
    from django.db import IntegrityError, transaction

    patient = PatientFactory(hospital=requester.hospital, local_id="MRN-1")
    with pytest.raises(IntegrityError), transaction.atomic():
        PatientFactory(hospital=requester.hospital, local_id="mrn1", pseudonym="PX-OTHER-0001")
    assert Patient.objects.get() == patient


def test_enrolment_needs_consent_to_care(requester):
    error = _refused(
        PatientErrorCode.CARE_CONSENT_REQUIRED,
        patient_enrol,
        actor=requester,
        **enrol_kwargs(consent=consent_data(for_care=False, for_registry=True)),
    )
    assert error.field == "for_care"
    assert not Patient.objects.exists()


def test_enrolment_needs_a_hospital(requester):
    requester.hospital = None
    _refused(PatientErrorCode.NO_HOSPITAL, patient_enrol, actor=requester, **enrol_kwargs())


# Every bad value has the one code "invalid_value": the message tells which mistake it is.
@pytest.mark.parametrize(
    ("changes", "field", "code", "message"),
    [
        ({"local_id": "   "}, "local_id", "invalid_value", "The local identifier is required."),
        (
            {"local_id": "MRN\x00-1"},
            "local_id",
            "invalid_value",
            "Remove the control characters (such as NUL) from this text.",
        ),
        (
            {"local_id": "x" * 65},
            "local_id",
            "invalid_value",
            "This text is too long (at most 64 characters).",
        ),
        ({"birth_month": 13}, "birth_month", "invalid_value", "The month of birth must be between 1 and 12."),
        ({"birth_year": 1850}, "birth_year", "invalid_value", "The year of birth is not plausible."),
        ({"sex": "robot"}, "sex", "invalid_value", "Choose one of the values offered."),
        ({"country": "XX"}, "country", "invalid_value", "Choose a country."),
        ({"diagnosis": ""}, "diagnosis", "invalid_value", "The diagnosis is required."),
    ],
)
def test_bad_patient_values_are_refused_on_their_field_and_nothing_is_written(
    requester, changes, field, code, message
):
    with pytest.raises(PatientError) as caught:
        patient_enrol(actor=requester, **enrol_kwargs(**changes))
    assert (caught.value.field, caught.value.code, caught.value.message) == (field, code, message)
    assert not Patient.objects.exists()


def test_a_birth_in_the_future_is_refused(requester):
    next_month = timezone.localdate().replace(day=1) + timedelta(days=32)
    _refused(
        PatientErrorCode.BIRTH_IN_FUTURE,
        patient_enrol,
        actor=requester,
        **enrol_kwargs(birth_year=next_month.year, birth_month=next_month.month),
    )


def test_script_in_the_diagnosis_is_stored_as_typed(requester):
    patient = patient_enrol(actor=requester, **enrol_kwargs(diagnosis="<script>alert(1)</script> glioma"))
    assert Patient.objects.get().diagnosis == "<script>alert(1)</script> glioma"
    assert patient.diagnosis.startswith("<script>")


# --- consent rules ------------------------------------------------------------------------------------------


def test_a_guardians_signature_needs_the_guardians_name(requester):
    error = _refused(
        PatientErrorCode.GUARDIAN_NAME_REQUIRED,
        patient_enrol,
        actor=requester,
        **enrol_kwargs(consent=consent_data(guardian_name="  ")),
    )
    assert error.field == "guardian_name"


def test_a_patients_own_signature_keeps_no_guardian_name(requester):
    patient = patient_enrol(
        actor=requester, **enrol_kwargs(consent=consent_data(signer="patient", guardian_name="Someone"))
    )
    assert patient.consents.get().guardian_name == ""


def test_a_consent_signed_in_the_future_is_refused(requester):
    tomorrow = timezone.localdate() + timedelta(days=1)
    _refused(
        PatientErrorCode.SIGNED_IN_FUTURE,
        patient_enrol,
        actor=requester,
        **enrol_kwargs(consent=consent_data(signed_on=tomorrow)),
    )
    assert not Patient.objects.exists()


def test_a_consent_signed_before_the_birth_month_is_refused(requester):
    _refused(
        PatientErrorCode.SIGNED_BEFORE_BIRTH,
        patient_enrol,
        actor=requester,
        **enrol_kwargs(birth_year=2017, birth_month=3, consent=consent_data(signed_on=date(2017, 2, 28))),
    )


def test_a_consent_signed_in_the_birth_month_is_accepted(requester):
    patient = patient_enrol(
        actor=requester,
        **enrol_kwargs(birth_year=2017, birth_month=3, consent=consent_data(signed_on=date(2017, 3, 1))),
    )
    assert patient.has_care_consent


def test_the_form_chosen_must_be_in_the_consents_language(requester):
    form = ConsentFormTemplate.objects.create(
        language="de", version="1.0", title="Einwilligung", document="consent-forms/de.pdf"
    )
    _refused(
        PatientErrorCode.FORM_LANGUAGE_MISMATCH,
        patient_enrol,
        actor=requester,
        **enrol_kwargs(consent=consent_data(language="fr", form=form)),
    )
    patient = patient_enrol(actor=requester, **enrol_kwargs(consent=consent_data(language="de", form=form)))
    assert patient.consents.get().form_version == "1.0"


def test_without_a_network_form_the_version_of_the_hospitals_form_is_required(requester):
    _refused(
        PatientErrorCode.FORM_VERSION_REQUIRED,
        patient_enrol,
        actor=requester,
        **enrol_kwargs(consent=consent_data(form_version="")),
    )


def test_a_language_outside_the_24_eu_languages_is_refused(requester):
    error = _refused(
        PatientErrorCode.INVALID_VALUE,
        patient_enrol,
        actor=requester,
        **enrol_kwargs(consent=consent_data(language="ru")),
    )
    assert error.field == "language"


@pytest.mark.parametrize(
    ("content", "name", "content_type"),
    [
        (PNG, "photo.png", "image/png"),
        (JPEG, "photo.jpg", "image/jpeg"),
        (TINY_PDF, "scan", "application/pdf"),
    ],
)
def test_pdf_png_and_jpeg_are_recognised_by_their_content(requester, content, name, content_type):
    patient = patient_enrol(
        actor=requester, **enrol_kwargs(consent=consent_data(document=upload(content, name)))
    )
    assert patient.consents.get().document_type == content_type


@pytest.mark.parametrize("content", [EXE, HTML, b"just text"])
def test_a_disguised_pdf_is_refused(requester, content):
    document = upload(content, "consent.pdf", "application/pdf")
    error = _refused(
        PatientErrorCode.DOCUMENT_TYPE,
        patient_enrol,
        actor=requester,
        **enrol_kwargs(consent=consent_data(document=document)),
    )
    assert error.field == "document"
    assert not Patient.objects.exists()


def test_an_oversized_document_is_refused(requester, settings):
    settings.CONSENT_MAX_UPLOAD_MB = 1
    document = upload(TINY_PDF + b"0" * (1024 * 1024), "big.pdf")
    _refused(
        PatientErrorCode.DOCUMENT_TOO_LARGE,
        patient_enrol,
        actor=requester,
        **enrol_kwargs(consent=consent_data(document=document)),
    )


def test_an_empty_document_is_refused(requester):
    _refused(
        PatientErrorCode.DOCUMENT_EMPTY,
        patient_enrol,
        actor=requester,
        **enrol_kwargs(consent=consent_data(document=upload(b""))),
    )


def test_a_further_consent_can_cover_the_registry_only(patient, requester):
    consent = consent_record(
        patient=patient, actor=requester, data=consent_data(for_care=False, for_registry=True)
    )
    assert consent.for_registry and not consent.for_care


def test_a_consent_must_cover_at_least_one_purpose(patient, requester):
    _refused(
        PatientErrorCode.PURPOSE_REQUIRED,
        consent_record,
        patient=patient,
        actor=requester,
        data=consent_data(for_care=False),
    )


def test_a_new_care_consent_after_a_withdrawal_restores_the_patients_consent(patient, requester):
    consent_withdraw(
        consent=patient.consents.get(), actor=requester, withdrawn_on=timezone.localdate(), reason="Family"
    )
    patient.refresh_from_db()
    assert not patient.has_care_consent
    consent_record(patient=patient, actor=requester, data=consent_data(signed_on=timezone.localdate()))
    patient.refresh_from_db()
    assert patient.has_care_consent


# --- withdrawal ---------------------------------------------------------------------------------------------


def _submitted_case(patient, status=CaseStatus.SUBMITTED):  # type: ignore[no-untyped-def]
    return CaseFactory(patient=patient, status=status, submitted_at=timezone.now())


def test_withdrawal_stops_the_patients_open_cases(patient, requester):
    submitted = _submitted_case(patient)
    scheduled = _submitted_case(patient, CaseStatus.SCHEDULED)
    closed = _submitted_case(patient, CaseStatus.CLOSED)
    consent_withdraw(
        consent=patient.consents.get(),
        actor=requester,
        withdrawn_on=timezone.localdate(),
        reason="The family no longer wishes the discussion.",
    )
    statuses = dict(Case.objects.values_list("pk", "status"))
    assert statuses[submitted.pk] == CaseStatus.STOPPED
    assert statuses[scheduled.pk] == CaseStatus.STOPPED
    assert statuses[closed.pk] == CaseStatus.CLOSED
    patient.refresh_from_db()
    assert not patient.has_care_consent
    event = AuditEvent.objects.get(action="consent.withdraw")
    assert event.detail["cases_stopped"] == 2
    assert event.patient_ref == patient.pseudonym


def test_withdrawal_leaves_cases_open_while_another_care_consent_is_valid(patient, requester):
    ConsentFactory(patient=patient, signed_on=timezone.localdate() - timedelta(days=5))
    case = _submitted_case(patient)
    first = patient.consents.order_by("signed_on").first()
    consent_withdraw(consent=first, actor=requester, withdrawn_on=timezone.localdate(), reason="Old form")
    case.refresh_from_db()
    assert case.status == CaseStatus.SUBMITTED
    patient.refresh_from_db()
    assert patient.has_care_consent


def test_withdrawal_of_a_registry_only_consent_leaves_the_care_consent(patient, requester):
    registry = ConsentFactory(patient=patient, for_care=False, for_registry=True)
    case = _submitted_case(patient)
    consent_withdraw(consent=registry, actor=requester, withdrawn_on=timezone.localdate(), reason="Registry")
    case.refresh_from_db()
    assert case.status == CaseStatus.SUBMITTED


def test_a_withdrawal_needs_a_reason(patient, requester):
    consent = patient.consents.get()
    _refused(
        PatientErrorCode.REASON_REQUIRED,
        consent_withdraw,
        consent=consent,
        actor=requester,
        withdrawn_on=timezone.localdate(),
        reason="  ",
    )
    consent.refresh_from_db()
    assert consent.withdrawn_on is None


def test_a_withdrawal_in_the_future_is_refused(patient, requester):
    _refused(
        PatientErrorCode.WITHDRAWN_IN_FUTURE,
        consent_withdraw,
        consent=patient.consents.get(),
        actor=requester,
        withdrawn_on=timezone.localdate() + timedelta(days=1),
        reason="Later",
    )


def test_a_withdrawal_before_the_signature_is_refused(patient, requester):
    consent = patient.consents.get()
    _refused(
        PatientErrorCode.WITHDRAWN_BEFORE_SIGNED,
        consent_withdraw,
        consent=consent,
        actor=requester,
        withdrawn_on=consent.signed_on - timedelta(days=1),
        reason="Before",
    )


def test_a_consent_is_withdrawn_once(patient, requester):
    consent = patient.consents.get()
    consent_withdraw(consent=consent, actor=requester, withdrawn_on=timezone.localdate(), reason="Once")
    _refused(
        PatientErrorCode.ALREADY_WITHDRAWN,
        consent_withdraw,
        consent=consent,
        actor=requester,
        withdrawn_on=timezone.localdate(),
        reason="Twice",
    )


def test_withdrawal_and_the_stop_of_cases_happen_together_or_not_at_all(patient, requester, monkeypatch):
    case = _submitted_case(patient)

    def broken(**kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("cases unavailable")

    monkeypatch.setattr("concilium.cases.receivers.cases_stop_for_withdrawn_consent", broken)
    with pytest.raises(RuntimeError):
        consent_withdraw(
            consent=patient.consents.get(), actor=requester, withdrawn_on=timezone.localdate(), reason="x"
        )
    assert patient.consents.get().withdrawn_on is None
    patient.refresh_from_db()
    assert patient.has_care_consent
    case.refresh_from_db()
    assert case.status == CaseStatus.SUBMITTED


# --- updates and blank forms --------------------------------------------------------------------------------


def test_the_diagnosis_and_its_code_can_be_corrected(patient, requester, ewing_code):
    patient_update(
        patient=patient, actor=requester, diagnosis="Ewing sarcoma of the pelvis", diagnosis_code=ewing_code
    )
    patient.refresh_from_db()
    assert patient.diagnosis == "Ewing sarcoma of the pelvis"
    assert patient.diagnosis_code == ewing_code
    event = AuditEvent.objects.get(action="patient.update")
    assert event.detail == {"fields": ["diagnosis", "diagnosis_code"], "diagnosis_code": "ORPHA:319"}


def test_a_blank_form_upload_becomes_the_current_form_of_its_language(network_admin):
    first = consent_form_upload(
        actor=network_admin, language="fr", version="1.0", title="Consentement", document=upload()
    )
    second = consent_form_upload(
        actor=network_admin, language="fr", version="1.1", title="Consentement", document=upload()
    )
    english = consent_form_upload(
        actor=network_admin, language="en", version="1.0", title="Consent", document=upload()
    )
    first.refresh_from_db()
    assert not first.is_current
    assert second.is_current and english.is_current


def test_a_blank_form_version_is_uploaded_once_per_language(network_admin):
    consent_form_upload(
        actor=network_admin, language="fr", version="1.0", title="Consentement", document=upload()
    )
    _refused(
        PatientErrorCode.FORM_VERSION_EXISTS,
        consent_form_upload,
        actor=network_admin,
        language="fr",
        version="1.0",
        title="Again",
        document=upload(),
    )
    assert ConsentFormTemplate.objects.get().is_current


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"language": "xx"}, PatientErrorCode.INVALID_VALUE),
        ({"version": "1.0; drop"}, PatientErrorCode.INVALID_VALUE),
        ({"document": upload(PNG, "form.pdf")}, PatientErrorCode.DOCUMENT_TYPE),
    ],
)
def test_a_blank_form_must_be_a_pdf_in_an_eu_language_with_a_plain_version(network_admin, changes, code):
    values = {"language": "fr", "version": "1.0", "title": "Consentement", "document": upload()}
    values.update(changes)
    _refused(code, consent_form_upload, actor=network_admin, **values)
    assert not ConsentFormTemplate.objects.exists()


def test_the_services_write_no_plaintext_identifier_anywhere_in_the_patient_row(requester):
    patient = patient_enrol(actor=requester, **enrol_kwargs(local_id="SECRET-MRN-998877"))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT local_id_encrypted, local_id_digest FROM patients_patient WHERE id = %s", [patient.pk]
        )
        encrypted, digest = cursor.fetchone()
    assert "998877" not in encrypted and "998877" not in digest
    assert "SECRET" not in encrypted.upper()
