"""Helpers shared by the registration and activation tests."""

import itertools
from datetime import datetime

from django.utils import timezone

from concilium.accounts.models import AccountStatus, RegistrationRequest, User
from concilium.core.roles import Role
from concilium.directory.models import Hospital, Language, Specialty
from tests.factories import PASSWORD

NEW_PASSWORD = "Quiet-Harbour-Lantern-42"
_counter = itertools.count(1)


def registration_data(
    hospital: Hospital, specialty: Specialty, languages: list[Language], /, **overrides: object
) -> dict:
    """A valid registration form submission; `overrides` replace fields (None removes one)."""
    data: dict[str, object] = {
        "full_name": "Dr Nora Newcomer",
        "email": "nora.newcomer@alpha.example",
        "professional_role": "Consultant paediatric oncologist",
        "country": hospital.country,
        "hospital": str(hospital.pk),
        "specialty": str(specialty.pk),
        "languages": [language.pk for language in languages],
        "reason": "I treat children with brain tumours and want to ask the Brain Tumour Expert Group.",
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
        "acknowledge": "on",
    }
    for key, value in overrides.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return data


def make_pending_request(
    *,
    hospital: Hospital,
    specialty: Specialty,
    languages: list[Language] | None = None,
    submitted_at: datetime | None = None,
    language: str = "en",
    email: str | None = None,
) -> RegistrationRequest:
    """A pending applicant and their request, as `registration_submit` leaves them (without notifications)."""
    n = next(_counter)
    user = User.objects.create_user(
        email or f"applicant{n}@hospital.example",
        PASSWORD,
        full_name=f"Dr Applicant {n}",
        role=Role.CLINICIAN,
        status=AccountStatus.PENDING,
        is_active=False,
        hospital=hospital,
        language=language,
    )
    request = RegistrationRequest.objects.create(
        user=user,
        hospital=hospital,
        country=hospital.country,
        specialty=specialty,
        professional_role="Consultant",
        reason="To ask an expert group about a patient.",
        acknowledged_privacy_at=timezone.now(),
        submitted_at=submitted_at or timezone.now(),
    )
    request.languages.set(languages or [])
    return request
