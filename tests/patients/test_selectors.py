"""Reads: valid care consent on a day, the patient search and the diagnosis code suggestions."""

from datetime import timedelta

import pytest
from django.utils import timezone

from concilium.patients.selectors import (
    diagnosis_code_lookup,
    diagnosis_code_search,
    has_valid_care_consent,
    patients_for,
)
from tests.factories import ConsentFactory, PatientFactory

pytestmark = pytest.mark.django_db


def test_a_care_consent_is_valid_from_its_signature_until_its_withdrawal(requester):
    today = timezone.localdate()
    patient = PatientFactory(hospital=requester.hospital)
    assert not has_valid_care_consent(patient)
    ConsentFactory(
        patient=patient, signed_on=today - timedelta(days=10), withdrawn_on=today - timedelta(days=2)
    )
    assert has_valid_care_consent(patient, on=today - timedelta(days=10))
    assert has_valid_care_consent(patient, on=today - timedelta(days=3))
    assert not has_valid_care_consent(patient, on=today - timedelta(days=2))
    assert not has_valid_care_consent(patient, on=today - timedelta(days=11))
    assert not has_valid_care_consent(patient)


def test_a_registry_only_consent_is_no_care_consent(requester):
    patient = PatientFactory(hospital=requester.hospital)
    ConsentFactory(patient=patient, for_care=False, for_registry=True)
    assert not has_valid_care_consent(patient)
    patient.refresh_from_db()
    assert not patient.has_care_consent


def test_patients_for_sees_only_the_actors_hospital(requester, outsider, patient, other_patient):
    assert list(patients_for(actor=requester)) == [patient]
    assert list(patients_for(actor=outsider)) == [other_patient]


def test_patients_for_filters_withdrawn_consents(requester, patient):
    withdrawn = PatientFactory(hospital=requester.hospital)
    ConsentFactory(patient=withdrawn, withdrawn_on=timezone.localdate())
    never = PatientFactory(hospital=requester.hospital)
    assert list(patients_for(actor=requester, consent="withdrawn")) == [withdrawn]
    assert set(patients_for(actor=requester, consent="missing")) == {withdrawn, never}
    assert list(patients_for(actor=requester, consent="valid")) == [patient]


def test_patients_for_finds_the_exact_local_identifier_but_not_a_part_of_it(requester, patient):
    assert list(patients_for(actor=requester, q="alpha 0001")) == [patient]
    assert list(patients_for(actor=requester, q="ALPHA-000")) == []


def test_diagnosis_codes_are_found_by_code_prefix_or_label_words(brain_code, ewing_code):
    assert diagnosis_code_search("c71") == [brain_code]
    assert diagnosis_code_search("CEREBELL") == [brain_code]
    assert diagnosis_code_search("orpha:3") == [ewing_code]
    assert diagnosis_code_search("  ") == []
    assert diagnosis_code_lookup("orpha:319") == ewing_code
    assert diagnosis_code_lookup("C71") is None


def test_the_patient_search_ignores_case_and_accents_and_never_spans_two_fields(requester):
    patient = PatientFactory(
        hospital=requester.hospital, pseudonym="PX-7QRT-2K9M", diagnosis="Médulloblastome de la fosse"
    )
    assert list(patients_for(actor=requester, q="MEDULLOBLASTOME")) == [patient]
    assert list(patients_for(actor=requester, q="px-7qrt")) == [patient]
    # The pseudonym's end and the diagnosis's start are kept apart.
    assert list(patients_for(actor=requester, q="2K9M Médullo")) == []


def test_a_corrected_diagnosis_is_found_by_the_search_at_once(requester):
    from concilium.patients.services import patient_update

    patient = PatientFactory(hospital=requester.hospital, diagnosis="Medulloblastoma")
    patient_update(patient=patient, actor=requester, diagnosis="Ependymoma, grade 3", diagnosis_code=None)
    assert list(patients_for(actor=requester, q="ependymoma")) == [patient]
    assert list(patients_for(actor=requester, q="medulloblastoma")) == []
