"""Case fixtures: two expert groups (one with a case sheet and checklist), patients with and without consent,
a coordinator and panel members at other hospitals, and helpers that move a case along its life."""

import io
from collections.abc import Callable
from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from concilium.cases.models import Case, CaseStatus, PanelMember, PanelRole
from concilium.cases.services.attachments import attachment_add
from concilium.cases.services.lifecycle import (
    case_accept,
    case_close,
    case_mark_discussed,
    case_schedule,
    case_submit,
    case_update,
)
from concilium.core.roles import Role
from concilium.patients.models import Consent, Patient
from concilium.scheduling.models import GroupMembership
from tests.factories import (
    CaseFactory,
    CaseTemplateFactory,
    ExpertGroupFactory,
    GroupMembershipFactory,
    HospitalFactory,
    PatientFactory,
    UserFactory,
)

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def give_consent(patient: Patient, *, signed_on: date | None = None) -> Consent:
    """A signed care consent, with the patient's flag kept in line (as the patients services do)."""
    consent = Consent.objects.create(
        patient=patient,
        for_care=True,
        language="en",
        form_version="2024-1",
        signer="guardian",
        guardian_name="Alex Guardian",
        signed_on=signed_on or timezone.localdate() - timedelta(days=3),
        document="consents/test.pdf",
        document_type="application/pdf",
        recorded_by=patient.enrolled_by,
    )
    Patient.objects.filter(pk=patient.pk).update(has_care_consent=True)
    patient.has_care_consent = True
    return consent


@pytest.fixture
def third_hospital(db: None):
    return HospitalFactory(name="Ospedale Pediatrico Gamma", country="IT", city="Genova")


@pytest.fixture
def group(db: None):
    group = ExpertGroupFactory(name="Brain Tumour Expert Group", slug="brain")
    CaseTemplateFactory(
        group=group,
        checklist=[
            {"key": "mri-report", "label": "Brain MRI report attached", "kind": "attachment"},
            {"key": "tumour-board", "label": "Discussed in the local tumour board", "kind": "confirm"},
        ],
    )
    return group


@pytest.fixture
def other_group(db: None):
    return ExpertGroupFactory(name="Ewing Sarcoma Expert Group", slug="ewing")


@pytest.fixture
def group_coordinator(group, third_hospital):
    user = UserFactory(
        email="cora@gamma.example", full_name="Cora Gamma", role=Role.COORDINATOR, hospital=third_hospital
    )
    GroupMembershipFactory(group=group, user=user, role=GroupMembership.GroupRole.COORDINATOR)
    return user


@pytest.fixture
def other_coordinator(other_group, third_hospital):
    user = UserFactory(
        email="otto@gamma.example", full_name="Otto Other", role=Role.COORDINATOR, hospital=third_hospital
    )
    GroupMembershipFactory(group=other_group, user=user, role=GroupMembership.GroupRole.COORDINATOR)
    return user


@pytest.fixture
def group_member(group, third_hospital):
    user = UserFactory(
        email="mia@gamma.example", full_name="Mia Member", role=Role.EXPERT, hospital=third_hospital
    )
    GroupMembershipFactory(group=group, user=user)
    return user


@pytest.fixture
def panel_expert(third_hospital):
    return UserFactory(
        email="pam@gamma.example", full_name="Pam Panel", role=Role.EXPERT, hospital=third_hospital
    )


@pytest.fixture
def guest_expert(other_hospital):
    return UserFactory(
        email="gus@beta.example", full_name="Gus Guest", role=Role.EXPERT, hospital=other_hospital
    )


@pytest.fixture
def patient(requester):
    patient = PatientFactory(hospital=requester.hospital, enrolled_by=requester, has_care_consent=False)
    give_consent(patient)
    return patient


@pytest.fixture
def patient_without_consent(requester):
    return PatientFactory(
        hospital=requester.hospital, enrolled_by=requester, has_care_consent=False, pseudonym="PT-NOCONS01"
    )


@pytest.fixture
def draft(patient, group, requester):
    """A draft with the required sections filled but the checklist not yet done."""
    return CaseFactory(patient=patient, group=group, requester=requester)


def complete(case: Case, actor) -> Case:  # type: ignore[no-untyped-def]
    """Answer the checklist of the `group` fixture's template: the MRI report and the tumour board."""
    attachment_add(
        case=case,
        actor=actor,
        upload=SimpleUploadedFile("mri.pdf", PDF, content_type="application/pdf"),
        checklist_key="mri-report",
    )
    return case_update(case=case, actor=actor, checklist_confirmed=["tumour-board"])


@pytest.fixture
def complete_draft(draft, requester):
    return complete(draft, requester)


@pytest.fixture
def advance(requester, group_coordinator) -> Callable[[Case, str], Case]:
    """Move a complete draft to `status` through the services, as its people would."""

    def run(case: Case, status: str) -> Case:
        order = [CaseStatus.SUBMITTED, CaseStatus.ACCEPTED, CaseStatus.SCHEDULED, CaseStatus.DISCUSSED]
        steps = {
            CaseStatus.SUBMITTED: lambda c: case_submit(case=c, actor=requester),
            CaseStatus.ACCEPTED: lambda c: case_accept(case=c, actor=group_coordinator),
            CaseStatus.SCHEDULED: lambda c: case_schedule(
                case=c, actor=group_coordinator, discussion_on=timezone.now() + timedelta(days=5)
            ),
            CaseStatus.DISCUSSED: lambda c: case_mark_discussed(case=c, actor=group_coordinator),
        }
        if status in (CaseStatus.SIGNED, CaseStatus.CLOSED):
            case = run(case, CaseStatus.DISCUSSED)
            # Signing is the recommendation's service; here the status is set as it would leave it.
            Case.objects.filter(pk=case.pk).update(status=CaseStatus.SIGNED, signed_at=timezone.now())
            case.refresh_from_db()
            if status == CaseStatus.CLOSED:
                case = case_close(case=case, actor=requester)
            return case
        for step in order[: order.index(status) + 1]:
            if case.status == step:
                continue
            case = steps[step](case)
        return Case.objects.get(pk=case.pk)

    return run


def seat(case: Case, user, role: str = PanelRole.MEMBER, expires_in: timedelta | None = None) -> PanelMember:  # type: ignore[no-untyped-def]
    """Seat `user` on the panel (accepting a case already seated the group; a new lead replaces the old)."""
    expires_at = timezone.now() + expires_in if expires_in is not None else None
    if role == PanelRole.LEAD:
        PanelMember.objects.filter(case=case, role=PanelRole.LEAD).update(role=PanelRole.MEMBER)
    member, _ = PanelMember.objects.update_or_create(
        case=case, user=user, defaults={"role": role, "expires_at": expires_at}
    )
    return member


def upload(name: str, content: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def docx_bytes() -> bytes:
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def odt_bytes() -> bytes:
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        archive.writestr("content.xml", "<office:document-content/>")
    return buffer.getvalue()


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path / "media"
