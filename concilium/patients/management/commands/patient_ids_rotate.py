"""`concilium patient_ids_rotate`: re-encrypt local identifiers and their digests under the first key.

Key rotation: put the new key first in PATIENT_ID_KEY (keeping the old one after it), run this, then drop
the old key.
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from concilium.audit.services import audit_record
from concilium.patients.crypto import (
    LocalIdDecryptionError,
    decrypt_local_id,
    encrypt_local_id,
    local_id_digest,
)
from concilium.patients.models import Patient

BATCH = 500


class Command(BaseCommand):
    help = "Re-encrypt patients' local identifiers under the first key of PATIENT_ID_KEY."

    def handle(self, *args: Any, **options: Any) -> None:
        rotated = 0
        last = 0
        while True:
            with transaction.atomic():
                batch = list(Patient.objects.select_for_update().filter(pk__gt=last).order_by("pk")[:BATCH])
                if not batch:
                    break
                for patient in batch:
                    try:
                        plain = decrypt_local_id(patient.local_id_encrypted)
                    except LocalIdDecryptionError as exc:
                        raise CommandError(
                            f"patient {patient.pk}: no configured key opens its identifier; nothing after it "
                            "was rotated. Put the old key back in PATIENT_ID_KEY."
                        ) from exc
                    patient.local_id_encrypted = encrypt_local_id(plain)
                    patient.local_id_digest = local_id_digest(plain)
                    patient.save(update_fields=["local_id_encrypted", "local_id_digest"])
                    rotated += 1
                last = batch[-1].pk
        audit_record(action="patient.ids_rotated", detail={"count": rotated})
        self.stdout.write(
            self.style.SUCCESS(f"{rotated} local identifiers re-encrypted under the current key")
        )
