"""Deploy checks for the patients app."""

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Tags, register
from django.core.checks import Warning as CheckWarning


@register(Tags.security, deploy=True)
def check_patient_id_key(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """Warn when local patient identifiers are encrypted with a key derived from SECRET_KEY."""
    if settings.PATIENT_ID_KEY:
        return []
    return [
        CheckWarning(
            "PATIENT_ID_KEY is not set: hospitals' local patient identifiers are encrypted with a key "
            "derived from SECRET_KEY, so rotating SECRET_KEY would make them unreadable.",
            hint="Set PATIENT_ID_KEY to a separate Fernet key (python -c 'from cryptography.fernet import "
            "Fernet; print(Fernet.generate_key().decode())') and keep it as safely as the database backups.",
            id="patients.W001",
        )
    ]
