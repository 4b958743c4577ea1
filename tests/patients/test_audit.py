"""Every read and write of patient data leaves an audit event, with the pseudonym and no clinical text."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from concilium.accounts.services.tokens import api_token_create
from concilium.audit.models import AuditEvent
from concilium.patients.services import consent_withdraw, patient_enrol
from tests.patients.conftest import enrol_kwargs

pytestmark = pytest.mark.django_db


def _events(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action))


def test_enrolment_writes_the_enrolment_and_the_consent_with_the_pseudonym(requester):
    patient = patient_enrol(actor=requester, **enrol_kwargs(diagnosis="Secret clinical words"))
    (enrol,) = _events("patient.enrol")
    (consent,) = _events("consent.record")
    assert enrol.patient_ref == consent.patient_ref == patient.pseudonym
    assert enrol.actor_id == requester.pk
    assert consent.detail["purposes"] == ["care"]
    for event in (enrol, consent):
        assert "Secret" not in str(event.detail) and "MRN" not in str(event.detail)
        assert "Gina" not in str(event.detail)


def test_withdrawal_is_audited(patient, requester):
    consent_withdraw(
        consent=patient.consents.get(), actor=requester, withdrawn_on=timezone.localdate(), reason="Words"
    )
    (event,) = _events("consent.withdraw")
    assert event.patient_ref == patient.pseudonym
    assert "Words" not in str(event.detail)


@pytest.mark.parametrize(
    ("name", "action", "view"),
    [
        ("patients:detail", "patient.view", "page"),
        ("patients:update", "patient.view", "edit"),
        ("patients:consent_record", "patient.view", "consent_record"),
    ],
)
def test_every_patient_page_read_is_audited(client_for, requester, patient, name, action, view):
    client_for(requester).get(reverse(name, args=[patient.pk]))
    (event,) = _events(action)
    assert event.patient_ref == patient.pseudonym
    assert event.detail["view"] == view
    assert event.actor_id == requester.pk


def test_opening_the_withdrawal_form_is_audited(client_for, requester, patient):
    consent = patient.consents.get()
    client_for(requester).get(reverse("patients:consent_withdraw", args=[patient.pk, consent.pk]))
    assert _events("patient.view")[0].patient_ref == patient.pseudonym


def test_downloading_a_signed_consent_is_audited(client_for, requester, patient):
    consent = patient.consents.get()
    client_for(requester).get(reverse("patients:consent_document", args=[patient.pk, consent.pk]))
    (event,) = _events("consent.document_download")
    assert (event.patient_ref, event.object_id) == (patient.pseudonym, str(consent.pk))


def test_the_list_is_audited_with_the_ids_shown(client_for, requester, patient):
    client_for(requester).get(reverse("patients:list"))
    (event,) = _events("patient.list")
    assert event.detail["patient_ids"] == [patient.pk]


def test_every_api_read_is_audited(requester, patient):
    _token, secret = api_token_create(user=requester, name="t", scopes=["read"])
    headers = {"Authorization": f"Bearer {secret}"}
    client = Client()
    client.get("/api/patients/", headers=headers)
    client.get(f"/api/patients/{patient.pk}", headers=headers)
    client.get(f"/api/patients/{patient.pk}/consents", headers=headers)
    assert [
        e.action for e in AuditEvent.objects.order_by("id") if e.action.startswith(("patient", "consent"))
    ][-3:] == ["patient.list", "patient.view", "consent.list"]
    assert _events("consent.list")[0].patient_ref == patient.pseudonym


def test_a_refused_read_of_another_hospitals_patient_leaves_no_read_event(client_for, outsider, patient):
    client_for(outsider).get(reverse("patients:detail", args=[patient.pk]))
    assert not _events("patient.view")


def test_a_refused_withdrawal_is_audited_with_its_code_and_nothing_changes(requester, patient):
    care = patient.consents.get()
    _token, secret = api_token_create(user=requester, name="t", scopes=["read", "write"])
    url = f"/api/patients/{patient.pk}/consents/{care.pk}/withdraw"
    response = Client().post(
        url,
        {"withdrawn_on": timezone.localdate().isoformat(), "reason": " "},
        content_type="application/json",
        headers={"Authorization": f"Bearer {secret}"},
    )
    assert response.status_code == 422
    (event,) = _events("consent.withdraw")
    assert (event.outcome, event.detail["code"]) == ("denied", "reason_required")
    assert event.patient_ref == patient.pseudonym
    assert patient.consents.get().withdrawn_on is None


def test_a_refused_withdrawal_on_the_page_is_audited(client_for, requester, patient):
    care = patient.consents.get()
    response = client_for(requester).post(
        reverse("patients:consent_withdraw", args=[patient.pk, care.pk]),
        {
            "withdrawn_on": (care.signed_on - timedelta(days=1)).isoformat(),
            "reason": "Changed her mind",
            "confirm": "on",
        },
    )
    assert response.status_code == 400
    (event,) = _events("consent.withdraw")
    assert (event.outcome, event.detail["code"]) == ("denied", "withdrawn_before_signed")
    assert patient.consents.get().withdrawn_on is None
