"""Fixtures for the patients tests: uploads (real and disguised), consent data, patients at two hospitals."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from concilium.patients.models import DiagnosisCode
from concilium.patients.services import ConsentData
from tests.factories import TINY_PDF, PatientFactory

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64
HTML = b"<!doctype html><script>alert(1)</script>"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def upload(content: bytes = TINY_PDF, name: str = "scan.pdf", content_type: str = "application/pdf"):  # type: ignore[no-untyped-def]
    return SimpleUploadedFile(name, content, content_type=content_type)


def consent_data(**changes: object) -> ConsentData:
    values: dict[str, object] = {
        "signed_on": timezone.localdate() - timedelta(days=2),
        "signer": "guardian",
        "guardian_name": "Gina Guardian",
        "language": "en",
        "form_version": "local-2.1",
        "document": upload(),
    }
    values.update(changes)
    return ConsentData(**values)  # type: ignore[arg-type]


def enrol_kwargs(**changes: object) -> dict[str, object]:
    values: dict[str, object] = {
        "local_id": "MRN-4711",
        "birth_year": 2017,
        "birth_month": 3,
        "sex": "male",
        "country": "FR",
        "diagnosis": "Medulloblastoma of the posterior fossa",
        "consent": consent_data(),
    }
    values.update(changes)
    return values


@pytest.fixture
def brain_code(db: None) -> DiagnosisCode:
    return DiagnosisCode.objects.create(
        system="icd10", code="C71.6", label="Malignant neoplasm of cerebellum"
    )


@pytest.fixture
def ewing_code(db: None) -> DiagnosisCode:
    return DiagnosisCode.objects.create(system="orpha", code="ORPHA:319", label="Ewing sarcoma")


@pytest.fixture
def patient(requester):  # type: ignore[no-untyped-def]
    """A patient of the home hospital with a valid care consent, enrolled by the requester."""
    return PatientFactory(
        hospital=requester.hospital, enrolled_by=requester, local_id="ALPHA-0001", care_consent=True
    )


@pytest.fixture
def other_patient(outsider):  # type: ignore[no-untyped-def]
    """A patient of the other hospital."""
    return PatientFactory(
        hospital=outsider.hospital, enrolled_by=outsider, local_id="BETA-0001", care_consent=True
    )


def api_enrol_fields(**changes: object) -> dict[str, object]:
    """The multipart fields of a valid enrolment through the API, with `changes`."""
    fields: dict[str, object] = {
        "local_id": "API-1",
        "birth_year": 2015,
        "birth_month": 7,
        "sex": "female",
        "country": "FR",
        "diagnosis": "Ewing sarcoma of the pelvis",
        "diagnosis_code": "",
        "for_care": "true",
        "language": "fr",
        "form_version": "CHU-3",
        "signer": "guardian",
        "guardian_name": "Gina Guardian",
        "signed_on": (timezone.localdate() - timedelta(days=1)).isoformat(),
        "document": upload(),
    }
    fields.update(changes)
    return fields
