"""The patients JSON API: same rules as the pages, Bearer tokens with scopes, problem+json errors."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from concilium.accounts.services.tokens import api_token_create
from concilium.cases.models import CaseStatus
from concilium.patients.models import Patient
from tests.factories import CaseFactory, PatientFactory
from tests.patients.conftest import HTML, api_enrol_fields, upload

pytestmark = pytest.mark.django_db
BASE = "/api/patients/"


def _bearer(user, *scopes: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    _token, secret = api_token_create(user=user, name="patients test", scopes=list(scopes or ("read",)))
    return {"Authorization": f"Bearer {secret}"}


def test_the_list_gives_my_hospitals_patients_with_consent_and_case_count(requester, patient, other_patient):
    CaseFactory(patient=patient)
    response = Client().get(BASE, headers=_bearer(requester, "read"))
    assert response.status_code == 200
    body = response.json()
    assert [item["pseudonym"] for item in body["items"]] == [patient.pseudonym]
    assert body["items"][0]["has_care_consent"] is True
    assert body["items"][0]["case_count"] == 1
    assert "local_id" not in body["items"][0]
    assert body["total"] == 1


def test_the_list_filters_by_consent_state_and_search(requester, patient):
    PatientFactory(hospital=requester.hospital, diagnosis="Hepatoblastoma")
    client, headers = Client(), _bearer(requester)
    missing = client.get(BASE, {"consent": "missing"}, headers=headers).json()
    assert [item["diagnosis"] for item in missing["items"]] == ["Hepatoblastoma"]
    searched = client.post(
        f"{BASE}search", {"q": patient.pseudonym}, content_type="application/json", headers=headers
    ).json()
    assert [item["id"] for item in searched["items"]] == [patient.pk]
    response = client.get(BASE, {"consent": "bogus"}, headers=headers)
    assert (response.status_code, response.json()["code"]) == (422, "invalid_request")
    for refused in ({"consent": "bogus"}, {"q": "a\x00b"}, {"q": "x" * 101}, {"page": 0}):
        response = client.post(f"{BASE}search", refused, content_type="application/json", headers=headers)
        assert (response.status_code, response.json()["code"]) == (422, "invalid_request"), refused


def test_a_search_term_in_the_address_is_refused_and_the_body_search_finds_a_local_identifier(requester):
    wanted = PatientFactory(hospital=requester.hospital, local_id="LYO-2026-004217")
    PatientFactory(hospital=requester.hospital)
    client, headers = Client(), _bearer(requester)

    in_address = client.get(BASE, {"q": "LYO-2026-004217"}, headers=headers)
    assert in_address.status_code == 400
    assert in_address["Content-Type"] == "application/problem+json"
    assert in_address.json()["code"] == "search_in_address"

    in_body = client.post(
        f"{BASE}search", {"q": "LYO-2026-004217"}, content_type="application/json", headers=headers
    )
    assert in_body.status_code == 200
    assert [item["id"] for item in in_body.json()["items"]] == [wanted.pk]


def test_one_patient_comes_with_its_local_identifier(requester, patient):
    response = Client().get(f"{BASE}{patient.pk}", headers=_bearer(requester))
    assert response.status_code == 200
    assert response.json()["local_id"] == "ALPHA-0001"


def test_enrolment_is_a_multipart_post_with_the_signed_document(requester):
    response = Client().post(BASE, api_enrol_fields(), headers=_bearer(requester, "write"))
    assert response.status_code == 201, response.content
    body = response.json()
    patient = Patient.objects.get()
    assert body["pseudonym"] == patient.pseudonym
    assert body["local_id"] == "API-1"
    assert body["has_care_consent"] is True


def test_a_duplicate_enrolment_is_a_409_problem(requester):
    client, headers = Client(), _bearer(requester, "write")
    client.post(BASE, api_enrol_fields(), headers=headers)
    response = client.post(BASE, api_enrol_fields(local_id="api 1"), headers=headers)
    assert response.status_code == 409
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "duplicate_local_id"
    assert Patient.objects.count() == 1


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"document": upload(HTML, "consent.pdf")}, "document_type_not_allowed"),
        ({"signed_on": (timezone.localdate() + timedelta(days=2)).isoformat()}, "signed_in_future"),
        ({"guardian_name": ""}, "guardian_name_required"),
        ({"for_care": "false", "for_registry": "true"}, "care_consent_required"),
        ({"diagnosis_code": "Z99"}, "unknown_diagnosis_code"),
    ],
)
def test_bad_enrolments_are_422_problems_and_write_nothing(requester, changes, code):
    response = Client().post(BASE, api_enrol_fields(**changes), headers=_bearer(requester, "write"))
    assert response.status_code == 422
    assert response.json()["code"] == code
    assert not Patient.objects.exists()


def test_enrolment_without_the_document_is_a_422(requester):
    fields = api_enrol_fields()
    del fields["document"]
    response = Client().post(BASE, fields, headers=_bearer(requester, "write"))
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_request"
    assert response.json()["errors"][0]["loc"] == ["file", "document"]


def test_a_read_token_cannot_enrol(requester):
    response = Client().post(BASE, api_enrol_fields(), headers=_bearer(requester, "read"))
    assert response.status_code == 403
    assert response.json()["code"] == "insufficient_scope"
    assert not Patient.objects.exists()


def test_a_write_only_token_cannot_read(requester, patient):
    response = Client().get(f"{BASE}{patient.pk}", headers=_bearer(requester, "write"))
    assert response.status_code == 403
    assert response.json()["code"] == "insufficient_scope"


def test_consents_are_listed_recorded_and_withdrawn(requester, patient):
    client = Client()
    listed = client.get(f"{BASE}{patient.pk}/consents", headers=_bearer(requester)).json()
    assert [item["valid_today"] for item in listed] == [True]
    write = _bearer(requester, "write")
    recorded = client.post(
        f"{BASE}{patient.pk}/consents",
        {
            "for_care": "false",
            "for_registry": "true",
            "language": "en",
            "form_version": "REG-1",
            "signer": "patient",
            "signed_on": timezone.localdate().isoformat(),
            "document": upload(),
        },
        headers=write,
    )
    assert recorded.status_code == 201, recorded.content
    assert recorded.json()["for_registry"] is True
    care = patient.consents.get(for_care=True)
    case = CaseFactory(patient=patient, status=CaseStatus.SUBMITTED, submitted_at=timezone.now())
    withdrawn = client.post(
        f"{BASE}{patient.pk}/consents/{care.pk}/withdraw",
        {"withdrawn_on": timezone.localdate().isoformat(), "reason": "Family request"},
        content_type="application/json",
        headers=write,
    )
    assert withdrawn.status_code == 200, withdrawn.content
    assert withdrawn.json()["valid_today"] is False
    case.refresh_from_db()
    assert case.status == CaseStatus.STOPPED


def test_a_withdrawal_without_reason_or_twice_is_refused(requester, patient):
    care = patient.consents.get()
    client, write = Client(), _bearer(requester, "write")
    url = f"{BASE}{patient.pk}/consents/{care.pk}/withdraw"
    today = timezone.localdate().isoformat()
    no_reason = client.post(
        url, {"withdrawn_on": today, "reason": " "}, content_type="application/json", headers=write
    )
    assert no_reason.status_code == 422 and no_reason.json()["code"] == "reason_required"
    client.post(
        url, {"withdrawn_on": today, "reason": "Once"}, content_type="application/json", headers=write
    )
    twice = client.post(
        url, {"withdrawn_on": today, "reason": "Again"}, content_type="application/json", headers=write
    )
    assert (twice.status_code, twice.json()["code"]) == (409, "already_withdrawn")


def test_diagnosis_code_suggestions(requester, brain_code, ewing_code):
    response = Client().get(f"{BASE}diagnosis-codes", {"q": "sarcoma"}, headers=_bearer(requester))
    assert response.json() == [{"system": "orpha", "code": "ORPHA:319", "label": "Ewing sarcoma"}]


def test_roles_without_patients_get_403_on_the_list_and_404_on_a_patient(helpdesk, network_admin, patient):
    for user in (helpdesk, network_admin):
        headers = _bearer(user)
        listing = Client().get(BASE, headers=headers)
        assert (listing.status_code, listing.json()["code"]) == (403, "forbidden")
        response = Client().get(f"{BASE}{patient.pk}", headers=headers)
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"
        assert response["Content-Type"] == "application/problem+json"


def test_without_credentials_the_api_answers_401(patient):
    for url in (BASE, f"{BASE}{patient.pk}"):
        response = Client().get(url)
        # The 401 problem has no "code" member: its title is the machine-readable part.
        assert (response.status_code, response.json()["title"]) == (401, "unauthorized"), url
