"""Who reaches patients: the treating roles of the owning hospital only. Everyone else gets a 404 on every
patient page and API endpoint, exactly as for a patient that does not exist, and nothing changes."""

import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from concilium.accounts.services.tokens import api_token_create
from concilium.core.roles import Role
from concilium.patients.models import Consent, Patient
from concilium.patients.permissions import PatientAction, PatientPolicy
from tests.factories import UserFactory
from tests.patients.conftest import api_enrol_fields, upload

pytestmark = pytest.mark.django_db

MISSING = 999_999


def _page_requests(patient_id: int, consent_id: int) -> list[tuple[str, str, dict[str, object]]]:
    today = timezone.localdate().isoformat()
    return [
        ("get", reverse("patients:detail", args=[patient_id]), {}),
        ("get", reverse("patients:update", args=[patient_id]), {}),
        ("post", reverse("patients:update", args=[patient_id]), {"diagnosis": "Changed"}),
        ("get", reverse("patients:consent_record", args=[patient_id]), {}),
        (
            "post",
            reverse("patients:consent_record", args=[patient_id]),
            {
                "for_care": "on",
                "language": "en",
                "form_version": "1",
                "signer": "patient",
                "signed_on": today,
            },
        ),
        ("get", reverse("patients:consent_withdraw", args=[patient_id, consent_id]), {}),
        (
            "post",
            reverse("patients:consent_withdraw", args=[patient_id, consent_id]),
            {"withdrawn_on": today, "reason": "x", "confirm": "on"},
        ),
        ("get", reverse("patients:consent_document", args=[patient_id, consent_id]), {}),
    ]


def _api_requests(patient_id: int, consent_id: int) -> list[tuple[str, str, dict[str, object], str]]:
    today = timezone.localdate().isoformat()
    return [
        ("get", f"/api/patients/{patient_id}", {}, "read"),
        ("get", f"/api/patients/{patient_id}/consents", {}, "read"),
        (
            "post",
            f"/api/patients/{patient_id}/consents",
            {"language": "en", "form_version": "1", "signer": "patient", "signed_on": today},
            "write",
        ),
        (
            "post",
            f"/api/patients/{patient_id}/consents/{consent_id}/withdraw",
            {"withdrawn_on": today, "reason": "x"},
            "write",
        ),
    ]


def _main(response) -> bytes:  # type: ignore[no-untyped-def]
    """The page's main content, without what differs at each request (CSRF token, request id)."""
    content = response.content
    main = content[content.index(b"<main") : content.index(b"</main>")]
    return re.sub(rb"<code>[0-9a-f-]{32,36}</code>", b"<code>id</code>", main)


def _snapshot() -> tuple[object, ...]:
    return (
        list(Patient.objects.values_list("pk", "diagnosis", "has_care_consent")),
        list(Consent.objects.values_list("pk", "withdrawn_on")),
    )


def _call(client: Client, method: str, url: str, data: dict[str, object], **extra: object):  # type: ignore[no-untyped-def]
    if method == "get":
        return client.get(url, **extra)
    if url.endswith("/withdraw") and url.startswith("/api/"):
        return client.post(url, data, content_type="application/json", **extra)
    if "consents" in url and "withdraw" not in url:
        data = {**data, "document": upload()}
    return client.post(url, data, **extra)


def test_another_hospitals_clinician_gets_404_on_every_patient_page_as_for_a_missing_patient(
    client_for, outsider, patient
):
    consent = patient.consents.get()
    client = client_for(outsider)
    before = _snapshot()
    for (method, url, data), (_m, missing_url, _d) in zip(
        _page_requests(patient.pk, consent.pk), _page_requests(MISSING, MISSING), strict=True
    ):
        response = _call(client, method, url, data)
        assert response.status_code == 404, (method, url)
        assert _main(response) == _main(_call(client, method, missing_url, data))
        assert b"ALPHA-0001" not in response.content
    assert _snapshot() == before


def test_another_hospitals_clinician_gets_404_on_every_patient_api_endpoint(outsider, patient):
    consent = patient.consents.get()
    client = Client()
    before = _snapshot()
    for (method, url, data, scope), (_m, missing_url, _d, _s) in zip(
        _api_requests(patient.pk, consent.pk), _api_requests(MISSING, MISSING), strict=True
    ):
        _token, secret = api_token_create(user=outsider, name="t", scopes=[scope])
        headers = {"headers": {"Authorization": f"Bearer {secret}"}}
        response = _call(client, method, url, data, **headers)
        assert response.status_code == 404, (method, url, response.content)
        assert response.json() == _call(client, method, missing_url, data, **headers).json()
        assert b"ALPHA-0001" not in response.content
    assert _snapshot() == before


def test_a_consent_of_another_patient_is_a_404_even_under_my_own_patient(
    client_for, requester, patient, other_patient
):
    foreign = other_patient.consents.get()
    client = client_for(requester)
    assert client.get(reverse("patients:consent_document", args=[patient.pk, foreign.pk])).status_code == 404
    assert client.get(reverse("patients:consent_withdraw", args=[patient.pk, foreign.pk])).status_code == 404


@pytest.mark.parametrize("persona", ["helpdesk", "data_manager", "network_admin"])
def test_roles_without_patients_get_403_on_the_list_and_404_on_every_patient_page(
    request, client_for, persona, patient
):
    user = request.getfixturevalue(persona)
    client = client_for(user)
    assert client.get(reverse("patients:list")).status_code == 403
    assert client.get(reverse("patients:enrol")).status_code == 403
    consent = patient.consents.get()
    for method, url, data in _page_requests(patient.pk, consent.pk):
        assert _call(client, method, url, data).status_code == 404, (persona, url)


@pytest.mark.parametrize("persona", ["requester", "expert", "coordinator"])
def test_the_treating_roles_of_the_owning_hospital_open_the_patient(request, client_for, persona, patient):
    user = request.getfixturevalue(persona)
    response = client_for(user).get(reverse("patients:detail", args=[patient.pk]))
    assert response.status_code == 200


def test_a_treating_role_without_a_hospital_holds_no_patient(client_for, patient):
    loose = UserFactory(role=Role.CLINICIAN, hospital=None)
    assert not PatientPolicy.can(loose, PatientAction.ENROL)
    assert client_for(loose).get(reverse("patients:list")).status_code == 403


def test_a_suspended_account_holds_no_patient_action(requester, patient):
    requester.is_active = False
    assert not PatientPolicy.can(requester, PatientAction.VIEW, patient)
    assert not PatientPolicy.visible(requester).exists()


def test_only_network_admins_manage_blank_forms(client_for, requester, network_admin):
    assert client_for(requester).get(reverse("patients:consent_forms")).status_code == 403
    assert client_for(network_admin).get(reverse("patients:consent_forms")).status_code == 200


def test_anonymous_visitors_are_sent_to_sign_in(patient):
    response = Client().get(reverse("patients:detail", args=[patient.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_the_enrol_api_needs_a_treating_role(network_admin):
    """A complete, valid enrolment: the role alone refuses it."""
    _token, secret = api_token_create(user=network_admin, name="t", scopes=["write"])
    response = Client().post(
        "/api/patients/", api_enrol_fields(), headers={"Authorization": f"Bearer {secret}"}
    )
    assert (response.status_code, response.json()["code"]) == (403, "forbidden")
    assert not Patient.objects.exists()
