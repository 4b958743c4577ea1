"""Test data factories (factory_boy). Fictional people only."""

from datetime import timedelta

import factory
from django.contrib.auth.hashers import make_password

from concilium.accounts.models import AccountStatus, User
from concilium.core.roles import Role
from concilium.directory.models import Clinician, Hospital, Language, Network, Specialty

PASSWORD = "correct horse battery staple"
_HASHED = make_password(PASSWORD)


class NetworkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Network
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"ern-{n}")
    name = factory.Sequence(lambda n: f"Reference network {n}")


class HospitalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Hospital

    name = factory.Sequence(lambda n: f"University Hospital {n}")
    city = "Leuven"
    country = "BE"
    is_reference_centre = True


class SpecialtyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Specialty
        django_get_or_create = ("name",)

    name = "Paediatric oncology"


class LanguageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Language
        django_get_or_create = ("code",)

    code = "en"
    name = "English"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("email",)

    email = factory.Sequence(lambda n: f"user{n}@hospital.example")
    full_name = factory.Sequence(lambda n: f"Alex Example {n}")
    role = Role.CLINICIAN
    status = AccountStatus.ACTIVE
    is_active = True
    hospital = factory.SubFactory(HospitalFactory)
    password = _HASHED


class ClinicianFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Clinician

    full_name = factory.Sequence(lambda n: f"Dr Sam Listed {n}")
    email = factory.Sequence(lambda n: f"clinician{n}@hospital.example")
    hospital = factory.SubFactory(HospitalFactory)
    specialty = factory.SubFactory(SpecialtyFactory)


# --- Cases (expert groups, memberships, case templates, cases) -------------------------------------------


class ExpertGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "scheduling.ExpertGroup"
        django_get_or_create = ("slug",)

    network = factory.SubFactory(NetworkFactory)
    name = factory.Sequence(lambda n: f"Expert group {n}")
    slug = factory.Sequence(lambda n: f"expert-group-{n}")


class GroupMembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "scheduling.GroupMembership"
        django_get_or_create = ("group", "user")

    group = factory.SubFactory(ExpertGroupFactory)
    user = factory.SubFactory(UserFactory)
    role = "member"


class CaseTemplateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "cases.CaseTemplate"
        django_get_or_create = ("group",)

    group = factory.SubFactory(ExpertGroupFactory)
    sections = factory.LazyFunction(
        lambda: [
            {"field": "clinical_history", "required": True, "guidance": "Age, symptoms, course."},
            {"field": "question", "required": True, "guidance": "One precise question."},
        ]
    )
    checklist = factory.LazyFunction(list)


class CaseFactory(factory.django.DjangoModelFactory):
    """A draft case; pass `patient` (a PatientFactory, from the patients tests or tests/cases/conftest.py)."""

    class Meta:
        model = "cases.Case"

    reference = factory.Sequence(lambda n: f"C-2026-{n + 1:05d}")
    hospital = factory.LazyAttribute(lambda case: case.patient.hospital)
    group = factory.SubFactory(ExpertGroupFactory)
    requester = factory.SubFactory(UserFactory, hospital=factory.SelfAttribute("..hospital"))
    clinical_history = "Eight-year-old with headaches and morning vomiting for six weeks."
    question = "Is second-look surgery advisable before radiotherapy?"


# --- Patients (patients, consents) ----------------------------------------------------------------------


def _patients_crypto():  # type: ignore[no-untyped-def]
    from concilium.patients import crypto

    return crypto


#: The smallest well-formed PDF header with an end marker: what a scanned consent starts and ends with.
TINY_PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


class PatientFactory(factory.django.DjangoModelFactory):
    """A patient of `hospital` (local identifier `local_id`, encrypted as the services do).

    `PatientFactory(care_consent=True)` also records a valid care consent (and sets `has_care_consent`).
    """

    class Meta:
        model = "patients.Patient"
        skip_postgeneration_save = True

    class Params:
        local_id = factory.Sequence(lambda n: f"MRN-{n:06d}")

    pseudonym = factory.Sequence(lambda n: f"PX-TEST-{n:04d}")
    hospital = factory.SubFactory(HospitalFactory)
    birth_year = 2016
    birth_month = 5
    sex = "female"
    country = factory.LazyAttribute(lambda patient: patient.hospital.country)
    local_id_encrypted = factory.LazyAttribute(lambda p: _patients_crypto().encrypt_local_id(p.local_id))
    local_id_digest = factory.LazyAttribute(lambda p: _patients_crypto().local_id_digest(p.local_id))
    diagnosis = "Medulloblastoma of the posterior fossa"
    enrolled_by = factory.SubFactory(UserFactory, hospital=factory.SelfAttribute("..hospital"))

    @factory.post_generation
    def care_consent(obj, create, extracted, **kwargs):  # type: ignore[no-untyped-def]
        if create and extracted:
            ConsentFactory(patient=obj)


class ConsentFactory(factory.django.DjangoModelFactory):
    """A signed care consent (a month ago, by a guardian); the patient's `has_care_consent` follows it."""

    class Meta:
        model = "patients.Consent"

    patient = factory.SubFactory(PatientFactory)
    for_care = True
    language = "en"
    form_version = "1.0"
    signer = "guardian"
    guardian_name = "Gina Guardian"
    signed_on = factory.LazyFunction(lambda: _today() - timedelta(days=30))
    document = factory.django.FileField(filename="consent.pdf", data=TINY_PDF)
    document_type = "application/pdf"
    recorded_by = factory.LazyAttribute(lambda consent: consent.patient.enrolled_by)

    @classmethod
    def _after_postgeneration(cls, instance, create, results=None):  # type: ignore[no-untyped-def]
        super()._after_postgeneration(instance, create, results)
        if create:
            from concilium.patients.services import patient_consent_refresh

            patient_consent_refresh(patient=instance.patient)


def _today():  # type: ignore[no-untyped-def]
    from django.utils import timezone

    return timezone.localdate()
