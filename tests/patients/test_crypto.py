"""The local identifier at rest: encrypted (Fernet, rotatable keys), found again by a keyed digest."""

import os
import secrets
import subprocess
import sys

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection

from concilium.patients.crypto import (
    LocalIdDecryptionError,
    decrypt_local_id,
    encrypt_local_id,
    local_id_digest,
    local_id_digests,
    normalise_local_id,
)
from concilium.patients.models import Patient
from concilium.patients.services import patient_enrol
from tests.patients.conftest import enrol_kwargs

OLD_KEY = Fernet.generate_key().decode()
NEW_KEY = Fernet.generate_key().decode()


def test_identifiers_are_compared_without_case_spaces_or_dashes():
    assert normalise_local_id("  AB-12 34 ") == normalise_local_id("ab1234") == "ab1234"
    assert local_id_digest("AB-12 34") == local_id_digest("ab1234")
    assert local_id_digest("ab1234") != local_id_digest("ab1235")


def test_an_identifier_decrypts_to_what_was_typed(settings):
    token = encrypt_local_id("  MRN-00042 ")
    assert "00042" not in token
    assert decrypt_local_id(token) == "MRN-00042"


def test_the_same_identifier_encrypts_differently_each_time():
    assert encrypt_local_id("MRN-1") != encrypt_local_id("MRN-1")


def test_without_a_configured_key_one_is_derived_from_the_secret_key(settings):
    settings.PATIENT_ID_KEY = []
    token = encrypt_local_id("MRN-1")
    assert decrypt_local_id(token) == "MRN-1"
    settings.SECRET_KEY = "another-secret-" + "z" * 60
    with pytest.raises(LocalIdDecryptionError):
        decrypt_local_id(token)


def test_the_digest_is_keyed_not_a_plain_hash(settings):
    import hashlib

    assert local_id_digest("mrn1") != hashlib.sha256(b"mrn1").hexdigest()
    before = local_id_digest("mrn1")
    settings.PATIENT_ID_KEY = [NEW_KEY]
    assert local_id_digest("mrn1") != before


def test_after_a_key_rotation_old_identifiers_still_decrypt_and_still_count_as_duplicates(settings):
    settings.PATIENT_ID_KEY = [OLD_KEY]
    token = encrypt_local_id("MRN-7")
    old_digest = local_id_digest("MRN-7")
    settings.PATIENT_ID_KEY = [NEW_KEY, OLD_KEY]
    assert decrypt_local_id(token) == "MRN-7"
    assert old_digest in local_id_digests("mrn 7")
    assert local_id_digest("MRN-7") != old_digest


@pytest.mark.django_db
def test_the_rotation_command_moves_every_identifier_to_the_first_key(settings, requester):
    settings.PATIENT_ID_KEY = [OLD_KEY]
    patient = patient_enrol(actor=requester, **enrol_kwargs(local_id="MRN-ROT"))
    settings.PATIENT_ID_KEY = [NEW_KEY, OLD_KEY]
    call_command("patient_ids_rotate", stdout=open(os.devnull, "w"))  # noqa: SIM115
    settings.PATIENT_ID_KEY = [NEW_KEY]
    patient.refresh_from_db()
    assert decrypt_local_id(patient.local_id_encrypted) == "MRN-ROT"
    assert patient.local_id_digest == local_id_digest("MRN-ROT")


@pytest.mark.django_db
def test_a_duplicate_is_found_during_a_rotation_before_the_command_ran(settings, requester, expert):
    from concilium.patients.errors import PatientError

    settings.PATIENT_ID_KEY = [OLD_KEY]
    patient_enrol(actor=requester, **enrol_kwargs(local_id="MRN-DUP"))
    settings.PATIENT_ID_KEY = [NEW_KEY, OLD_KEY]
    with pytest.raises(PatientError) as refused:
        patient_enrol(actor=expert, **enrol_kwargs(local_id="MRN-DUP"))
    assert refused.value.code == "duplicate_local_id"


@pytest.mark.django_db
def test_the_local_identifier_is_not_stored_in_plain_text(requester):
    patient = patient_enrol(actor=requester, **enrol_kwargs(local_id="HOSP-555-1234"))
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM patients_patient WHERE id = %s", [patient.pk])
        row = cursor.fetchone()
    raw = " ".join(str(value) for value in row)
    assert "555" not in raw.replace(str(patient.pk), "")
    assert "HOSP" not in raw.upper()
    assert Patient.objects.get().local_id_digest == local_id_digest("hosp5551234")


# --- configuration ---------------------------------------------------------------------------------------


def _check(tmp_path, **extra: str) -> subprocess.CompletedProcess[str]:  # type: ignore[no-untyped-def]
    env = {key: value for key, value in os.environ.items() if key in {"PATH", "HOME", "LANG", "DATABASE_URL"}}
    env.update(
        CONCILIUM_DATA_DIR=str(tmp_path),
        SECRET_KEY=secrets.token_urlsafe(45)[:60],
        ALLOWED_HOSTS="concilium.example",
        **extra,
    )
    return subprocess.run(
        [sys.executable, "-m", "concilium", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_deploy_check_warns_when_no_separate_patient_key_is_set(tmp_path):
    result = _check(tmp_path)
    assert result.returncode != 0
    assert "patients.W001" in result.stdout + result.stderr


def test_the_deploy_check_passes_with_separate_patient_keys(tmp_path):
    result = _check(tmp_path, PATIENT_ID_KEY=f"{NEW_KEY},{OLD_KEY}")
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_malformed_patient_key_stops_the_start_naming_the_variable(tmp_path):
    result = _check(tmp_path, PATIENT_ID_KEY="not-a-fernet-key")
    assert result.returncode != 0
    assert "PATIENT_ID_KEY" in result.stderr
