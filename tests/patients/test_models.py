"""Invariants the database keeps for patients and consents, whatever the code above it does."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from concilium.patients.models import DiagnosisCode
from tests.factories import ConsentFactory, PatientFactory

pytestmark = pytest.mark.django_db


def test_a_guardians_consent_without_the_guardians_name_cannot_be_stored(patient):
    with pytest.raises(IntegrityError), transaction.atomic():
        ConsentFactory(patient=patient, signer="guardian", guardian_name="")


def test_a_withdrawal_before_the_signature_cannot_be_stored(patient):
    today = timezone.localdate()
    with pytest.raises(IntegrityError), transaction.atomic():
        ConsentFactory(patient=patient, signed_on=today, withdrawn_on=today - timedelta(days=1))


def test_a_birth_month_outside_1_to_12_cannot_be_stored(requester):
    with pytest.raises(IntegrityError), transaction.atomic():
        PatientFactory(hospital=requester.hospital, birth_month=13)


def test_a_consent_is_valid_from_the_day_signed_to_the_day_before_withdrawal(patient):
    consent = patient.consents.get()
    consent.withdrawn_on = consent.signed_on + timedelta(days=3)
    assert not consent.is_valid_on(consent.signed_on - timedelta(days=1))
    assert consent.is_valid_on(consent.signed_on)
    assert consent.is_valid_on(consent.signed_on + timedelta(days=2))
    assert not consent.is_valid_on(consent.signed_on + timedelta(days=3))


def test_a_diagnosis_code_is_searchable_without_case_or_accents():
    code = DiagnosisCode.objects.create(system="icd10", code="C71.9", label="Tumeur maligne de l'encéphale")
    assert code.search_text == "c71.9 tumeur maligne de l'encephale"
