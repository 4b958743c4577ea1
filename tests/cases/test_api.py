"""The cases API: the same rules as the pages, Bearer tokens with scopes, problem+json errors (404 for a case
one does not see, 409 for a transition from the wrong status or without consent, 422 for bad input)."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from concilium.accounts.services.tokens import api_token_create
from concilium.audit.models import AuditEvent
from concilium.cases.models import Case, CaseAttachment, CaseStatus
from tests.cases.conftest import PDF, complete
from tests.factories import CaseFactory

pytestmark = pytest.mark.django_db


def _client(user, scopes=("read", "write")) -> Client:  # type: ignore[no-untyped-def]
    _token, secret = api_token_create(user=user, name="script", scopes=list(scopes))
    return Client(headers={"Authorization": f"Bearer {secret}"})


def _problem(response, status: int, code: str) -> None:  # type: ignore[no-untyped-def]
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == code


def test_a_clinician_creates_fills_and_submits_a_case(requester, patient, group):
    client = _client(requester)
    response = client.post(
        "/api/cases/",
        {"patient": patient.pk, "group": group.pk, "clinical_history": "Headaches.", "question": "Surgery?"},
        content_type="application/json",
    )
    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "draft"
    assert body["patient"]["pseudonym"] == patient.pseudonym
    assert body["completeness"]["percent"] == 50
    assert [m["key"] for m in body["completeness"]["missing"]] == ["mri-report", "tumour-board"]
    case_id = body["id"]

    submit = client.post(f"/api/cases/{case_id}/submit")
    _problem(submit, 422, "incomplete")

    upload = client.post(
        f"/api/cases/{case_id}/attachments",
        {"file": _file("mri.pdf", PDF), "checklist_key": "mri-report"},
    )
    assert upload.status_code == 201
    assert upload.json()["kind"] == "pdf"
    patch = client.patch(
        f"/api/cases/{case_id}", {"checklist_confirmed": ["tumour-board"]}, content_type="application/json"
    )
    assert patch.json()["completeness"]["complete"] is True
    submitted = client.post(f"/api/cases/{case_id}/submit")
    assert submitted.status_code == 200
    assert submitted.json()["status"] == "submitted"


def _file(name: str, content: bytes):  # type: ignore[no-untyped-def]
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content)


def test_submitting_without_consent_is_a_409(requester, patient_without_consent, group):
    case = complete(CaseFactory(patient=patient_without_consent, group=group, requester=requester), requester)
    _problem(_client(requester).post(f"/api/cases/{case.pk}/submit"), 409, "no_consent")
    assert Case.objects.get(pk=case.pk).status == CaseStatus.DRAFT


def test_the_coordinator_accepts_schedules_and_declines_through_the_api(
    complete_draft, advance, group_coordinator, requester, patient, group
):
    case = advance(complete_draft, CaseStatus.SUBMITTED)
    client = _client(group_coordinator)
    queue = client.get("/api/cases/queue").json()
    assert [item["id"] for item in queue["items"]] == [case.pk]
    assert client.post(f"/api/cases/{case.pk}/accept").json()["status"] == "accepted"
    when = (timezone.now() + timedelta(days=6)).replace(microsecond=0)
    scheduled = client.post(
        f"/api/cases/{case.pk}/schedule", {"discussion_on": when.isoformat()}, content_type="application/json"
    )
    assert scheduled.json()["status"] == "scheduled"
    other = advance(
        complete(CaseFactory(patient=patient, group=group, requester=requester), requester), "submitted"
    )
    declined = client.post(
        f"/api/cases/{other.pk}/decline", {"reason": "Outside our scope."}, content_type="application/json"
    )
    assert declined.json()["decline_reason"] == "Outside our scope."


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("2020-01-01T10:00:00+01:00", "invalid"),  # in the past: the service's refusal
        ("2030-01-01T10:00:00", "invalid_request"),  # no offset: the schema's
        ("tomorrow", "invalid_request"),
        ("2026-02-30T10:00:00+01:00", "invalid_request"),
    ],
)
def test_an_invalid_discussion_date_is_a_422_and_changes_nothing(
    value, code, complete_draft, advance, group_coordinator
):
    case = advance(complete_draft, CaseStatus.ACCEPTED)
    response = _client(group_coordinator).post(
        f"/api/cases/{case.pk}/schedule", {"discussion_on": value}, content_type="application/json"
    )
    _problem(response, 422, code)
    assert Case.objects.get(pk=case.pk).status == CaseStatus.ACCEPTED


def test_a_forged_transition_is_a_409_and_changes_nothing(complete_draft, advance, group_coordinator):
    case = advance(complete_draft, CaseStatus.SCHEDULED)
    client = _client(group_coordinator)
    _problem(client.post(f"/api/cases/{case.pk}/accept"), 409, "wrong_status")
    _problem(
        client.post(f"/api/cases/{case.pk}/decline", {"reason": "x"}, content_type="application/json"),
        409,
        "wrong_status",
    )
    assert Case.objects.get(pk=case.pk).status == CaseStatus.SCHEDULED
    assert AuditEvent.objects.filter(action="case.accept", outcome="denied").exists()


def test_the_requester_may_not_accept_their_own_case(complete_draft, advance, requester):
    case = advance(complete_draft, CaseStatus.SUBMITTED)
    _problem(_client(requester).post(f"/api/cases/{case.pk}/accept"), 403, "forbidden")


def test_an_empty_decline_reason_is_a_422(complete_draft, advance, group_coordinator):
    case = advance(complete_draft, CaseStatus.SUBMITTED)
    response = _client(group_coordinator).post(
        f"/api/cases/{case.pk}/decline", {"reason": ""}, content_type="application/json"
    )
    _problem(response, 422, "invalid_request")
    assert Case.objects.get(pk=case.pk).status == CaseStatus.SUBMITTED


def test_script_in_the_episode_is_a_422_and_changes_nothing(draft, requester):
    response = _client(requester).patch(
        f"/api/cases/{draft.pk}", {"question": "<script>alert(1)</script>"}, content_type="application/json"
    )
    _problem(response, 422, "invalid")
    assert Case.objects.get(pk=draft.pk).question == draft.question


def test_a_disguised_attachment_is_a_422(draft, requester):
    response = _client(requester).post(
        f"/api/cases/{draft.pk}/attachments", {"file": _file("scan.pdf", b"<?php system($_GET['c']); ?>")}
    )
    _problem(response, 422, "file_type_not_allowed")
    assert not CaseAttachment.objects.exists()


def test_a_read_only_token_cannot_change_a_case(draft, requester):
    response = _client(requester, scopes=("read",)).patch(
        f"/api/cases/{draft.pk}", {"question": "Changed"}, content_type="application/json"
    )
    _problem(response, 403, "insufficient_scope")
    assert Case.objects.get(pk=draft.pk).question == draft.question


def test_creating_a_case_for_another_hospitals_patient_is_a_404(outsider, patient, group):
    response = _client(outsider).post(
        "/api/cases/", {"patient": patient.pk, "group": group.pk}, content_type="application/json"
    )
    _problem(response, 404, "patient_not_found")
    assert not Case.objects.exists()


def test_the_list_shows_my_hospitals_cases_with_filters(requester, draft, outsider, group):
    assert [item["id"] for item in _client(requester).get("/api/cases/").json()["items"]] == [draft.pk]
    assert _client(requester).get("/api/cases/?status=submitted").json()["items"] == []
    assert _client(outsider).get("/api/cases/").json()["items"] == []
    search = _client(requester).post("/api/cases/search", {"q": "\x00"}, content_type="application/json")
    _problem(search, 422, "invalid_request")


def test_a_case_search_takes_its_term_in_the_body_and_refuses_it_in_the_address(requester, draft, patient):
    client = _client(requester)
    _problem(client.get("/api/cases/", {"q": draft.reference}), 400, "search_in_address")

    found = client.post(
        "/api/cases/search", {"q": draft.reference, "status": "draft"}, content_type="application/json"
    )
    assert found.status_code == 200
    assert [item["id"] for item in found.json()["items"]] == [draft.pk]
    missing = client.post("/api/cases/search", {"q": "zzqx"}, content_type="application/json").json()
    assert missing["items"] == []


def test_attachments_are_listed_and_downloaded_with_an_audit_event(complete_draft, requester):
    client = _client(requester)
    listing = client.get(f"/api/cases/{complete_draft.pk}/attachments").json()
    assert [item["name"] for item in listing] == ["mri.pdf"]
    response = client.get(f"/api/cases/{complete_draft.pk}/attachments/{listing[0]['id']}")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert AuditEvent.objects.filter(action="attachment.download", object_id=str(listing[0]["id"])).exists()


def test_the_case_tells_which_actions_are_open(complete_draft, advance, group_coordinator, requester):
    case = advance(complete_draft, CaseStatus.SUBMITTED)
    assert "decide" in _client(group_coordinator).get(f"/api/cases/{case.pk}").json()["allowed_actions"]
    assert "decide" not in _client(requester).get(f"/api/cases/{case.pk}").json()["allowed_actions"]
