"""The production stack test's data, written by a subprocess that runs with the production settings.

`python -m tests.deploy.stack_data` (DJANGO_SETTINGS_MODULE=concilium.settings, STACK_TOTP_KEY=<hex>): a
hospital, a group coordinator with an authenticator (the key given), a patient with a signed care consent
(its document goes to the configured storage: object storage in the test), a draft case, and an email whose
delivery task was lost (queued on the database queue, which nobody works, and long overdue: only the outbox
sweeper can send it). Prints their ids as JSON.
"""

import json
import os
from datetime import timedelta

import django


def main() -> None:
    django.setup()
    from django.db import transaction
    from django.utils import timezone
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from concilium.core.roles import Role
    from concilium.notifications.models import Notification
    from concilium.notifications.services import notification_enqueue
    from tests.factories import CaseFactory, HospitalFactory, PatientFactory, UserFactory

    hospital = HospitalFactory(name="Hôpital Universitaire Alpha", country="FR", city="Lyon")
    coordinator = UserFactory(
        email="cora.coordinator@alpha.example",
        full_name="Cora Coordinator",
        role=Role.COORDINATOR,
        hospital=hospital,
    )
    TOTPDevice.objects.create(
        user=coordinator, name="authenticator", confirmed=True, key=os.environ["STACK_TOTP_KEY"]
    )
    patient = PatientFactory(hospital=hospital, enrolled_by=coordinator, care_consent=True)
    case = CaseFactory(patient=patient, requester=coordinator)
    consent = patient.consents.get()
    with transaction.atomic():
        (lost,) = notification_enqueue(
            recipient=coordinator,
            app="accounts",
            kind="password_changed",
            context={"helpdesk_email": "helpdesk@alpha.example"},
            channels=(Notification.Channel.EMAIL,),
        )
    Notification.objects.filter(pk=lost.pk).update(next_attempt_at=timezone.now() - timedelta(minutes=30))
    print(
        json.dumps(
            {
                "email": coordinator.email,
                "full_name": coordinator.full_name,
                "case": case.pk,
                "patient": patient.pk,
                "consent": consent.pk,
                "consent_document": consent.document.name,
                "lost_email": lost.pk,
            }
        )
    )


if __name__ == "__main__":
    main()
