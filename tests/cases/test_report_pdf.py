"""The signed recommendation's PDF, read back from the PDF itself: it carries the reference (as written, in
the title and the page footer), the diagnosis, the requesting clinician and hospital, the discussion date,
the panel with each member's role, the recommendation, the signer and the signature time; and it is a
tagged PDF (PDF/UA-1: structure tree, marked content, document language)."""

from datetime import UTC, datetime

import pytest

from concilium.cases.models import Case, CaseStatus, PanelRole, Recommendation
from concilium.cases.report import render_report_pdf, weasyprint_import_error
from concilium.cases.services.recommendation import recommendation_save, recommendation_sign
from tests.cases.conftest_panel import seat
from tests.cases.pdftext import pdf_metadata, pdf_objects, pdf_text
from tests.factories import PASSWORD, UserFactory

WEASYPRINT_MISSING = weasyprint_import_error()
pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(WEASYPRINT_MISSING is not None, reason=f"WeasyPrint: {WEASYPRINT_MISSING}"),
]

DISCUSSED = datetime(2026, 11, 18, 10, 30, tzinfo=UTC)


@pytest.fixture
def signed(accepted_case, external_expert, expert, third_hospital) -> Recommendation:
    guest = UserFactory(
        email="guest@gamma.example", full_name="Gus Guest", role="expert", hospital=third_hospital
    )
    seat(accepted_case, external_expert, PanelRole.LEAD)
    seat(accepted_case, expert)
    seat(accepted_case, guest, PanelRole.GUEST)
    Case.objects.filter(pk=accepted_case.pk).update(status=CaseStatus.SCHEDULED)
    case = Case.objects.get(pk=accepted_case.pk)
    recommendation_save(
        case=case,
        actor=external_expert,
        summary="A child with a posterior fossa tumour.",
        recommendation="Craniospinal proton therapy, then maintenance chemotherapy.",
        participants=[external_expert, expert],
    )
    Case.objects.filter(pk=case.pk).update(status=CaseStatus.DISCUSSED, discussed_at=DISCUSSED)
    case = Case.objects.get(pk=case.pk)
    rec = recommendation_sign(case=case, actor=external_expert, credential=PASSWORD)
    return Recommendation.objects.select_related(
        "case__patient", "case__requester", "case__hospital", "case__group", "signed_by"
    ).get(pk=rec.pk)


@pytest.fixture
def pdf(signed: Recommendation) -> bytes:
    return render_report_pdf(signed)


def _text(pdf: bytes) -> str:
    return " ".join(pdf_text(pdf).split())


def test_the_report_carries_the_reference_as_written(signed, pdf):
    text = _text(pdf)
    reference = signed.case.reference

    assert f"Case {reference}" in text
    assert f"{reference} · Concilium" in text  # the footer, not "Cu002D2026u002D..."
    assert "u002D" not in text and "00002D" not in text


def test_the_report_names_the_diagnosis_the_requester_and_the_hospital(signed, pdf):
    text = _text(pdf)

    assert f"Patient (pseudonym) {signed.case.patient.pseudonym}" in text
    assert f"Diagnosis {signed.case.patient.diagnosis}" in text
    assert "Requested by Rita Requester" in text
    assert "Hospital Hôpital Universitaire Alpha, Lyon" in text
    assert f"Expert group {signed.case.group.name}" in text
    assert "Discussed on 18 Nov 2026" in text


def test_the_report_lists_the_panel_with_their_roles(pdf):
    text = _text(pdf)

    assert "Panel Name Role Hospital" in text
    assert "Gia External Lead Ospedale Gamma" in text
    assert "Erin Expert Member Hôpital Universitaire Alpha" in text
    assert "Gus Guest Guest Ospedale Pediatrico Gamma" in text
    assert "Took part in the discussion" in text


def test_the_report_carries_the_recommendation_the_signer_and_the_signature_time(signed, pdf):
    text = _text(pdf)
    signed_at = signed.signed_at.astimezone(UTC)

    assert "Craniospinal proton therapy, then maintenance chemotherapy." in text
    assert f"Signed by Gia External on {signed_at.day} {signed_at:%b %Y, %H:%M} (UTC)." in text
    assert signed.content_sha256 in text.replace(" ", "")


def test_the_report_is_a_tagged_pdf(pdf):
    objects = pdf_objects(pdf)

    assert "/StructTreeRoot" in objects
    assert "/MarkInfo <</Marked true>>" in objects
    assert "/Lang (en)" in objects
    assert 'pdfuaid:part="1"' in pdf_metadata(pdf)
