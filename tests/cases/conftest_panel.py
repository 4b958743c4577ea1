"""Fixtures for the panel's tests: an expert group with a coordinator and a member, an accepted case of the
home hospital with a valid care consent, and a listed expert of another hospital and network.

Not a conftest (tests/cases/conftest.py belongs to the case workflow's tests): the panel tests import from it.
"""

import itertools
from datetime import timedelta

import pytest
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from concilium.accounts.models import User
from concilium.cases.models import Case, CaseStatus, PanelMember, PanelRole
from concilium.core.roles import Role
from concilium.patients.models import Patient
from concilium.scheduling.models import ExpertGroup, GroupMembership
from tests.factories import ClinicianFactory, HospitalFactory, NetworkFactory, UserFactory

_serial = itertools.count(1)

__all__ = [
    "accepted_case",
    "brain_group",
    "current_code",
    "external_expert",
    "make_case",
    "make_patient",
    "seat",
]


def make_patient(hospital, *, enrolled_by: User, consent: bool = True) -> Patient:  # type: ignore[no-untyped-def]
    n = next(_serial)
    return Patient.objects.create(
        pseudonym=f"PX-{n:06d}",
        hospital=hospital,
        birth_year=2015,
        birth_month=3,
        sex="female",
        country=hospital.country,
        local_id_encrypted="not-a-real-ciphertext",
        local_id_digest=f"{n:064d}",
        diagnosis="Medulloblastoma, secret diagnosis text",
        has_care_consent=consent,
        enrolled_by=enrolled_by,
    )


def make_case(*, group: ExpertGroup, requester: User, status: str = CaseStatus.ACCEPTED, **fields) -> Case:  # type: ignore[no-untyped-def]
    n = next(_serial)
    patient = fields.pop("patient", None) or make_patient(requester.hospital, enrolled_by=requester)
    now = timezone.now()
    return Case.objects.create(
        reference=f"C-2026-{n:05d}",
        patient=patient,
        hospital=patient.hospital,
        group=group,
        requester=requester,
        status=status,
        question="Should we irradiate? (secret clinical question)",
        clinical_history="Secret history",
        submitted_at=None if status == CaseStatus.DRAFT else now - timedelta(days=3),
        decided_at=now - timedelta(days=2),
        **fields,
    )


def seat(case: Case, user: User, role: str = PanelRole.MEMBER, **fields) -> PanelMember:  # type: ignore[no-untyped-def]
    if role == PanelRole.GUEST:
        fields.setdefault("expires_at", timezone.now() + timedelta(days=30))
    return PanelMember.objects.create(case=case, user=user, role=role, **fields)


def current_code(user: User) -> str:
    """The current TOTP code of the user's (first confirmed) authenticator."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()
    assert device is not None
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):0{device.digits}d}"


@pytest.fixture
def brain_group(coordinator: User, expert: User) -> ExpertGroup:
    network = NetworkFactory(code="ern-paedcan", name="ERN PaedCan")
    group = ExpertGroup.objects.create(network=network, name="Brain Tumour Expert Group", slug="brain-tumour")
    GroupMembership.objects.create(group=group, user=coordinator, role=GroupMembership.GroupRole.COORDINATOR)
    GroupMembership.objects.create(group=group, user=expert, role=GroupMembership.GroupRole.MEMBER)
    return group


@pytest.fixture
def accepted_case(brain_group: ExpertGroup, requester: User) -> Case:
    return make_case(group=brain_group, requester=requester)


@pytest.fixture
def external_expert(db: None) -> User:
    """An expert of a third hospital, in another network, listed in the directory with an account."""
    hospital = HospitalFactory(name="Ospedale Gamma", country="IT", city="Milano")
    user = UserFactory(
        email="external@gamma.example", full_name="Gia External", role=Role.EXPERT, hospital=hospital
    )
    clinician = ClinicianFactory(full_name="Gia External", email=user.email, hospital=hospital, user=user)
    clinician.networks.add(NetworkFactory(code="ern-other", name="Another network"))
    return user
