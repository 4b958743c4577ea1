"""The panel's JSON API at /api/panels/: the same rules as the pages, problems with codes."""

import json

import pytest
from django.urls import reverse

from concilium.audit.models import AuditEvent, Outcome
from concilium.cases.models import CaseStatus, Contribution, PanelMember, PanelRole, Recommendation
from concilium.cases.services.recommendation import recommendation_save
from tests.cases.conftest_panel import seat
from tests.factories import PASSWORD, ClinicianFactory

pytestmark = pytest.mark.django_db


def _post(client, name, args, payload, method="post"):  # type: ignore[no-untyped-def]
    return getattr(client, method)(
        reverse(f"api:{name}", args=args), data=json.dumps(payload), content_type="application/json"
    )


def test_my_panels_lists_live_seats(accepted_case, external_expert, client_for):
    seat(accepted_case, external_expert, PanelRole.LEAD)

    response = client_for(external_expert).get(reverse("api:panels_mine"))

    assert response.status_code == 200
    assert [(row["reference"], row["role"]) for row in response.json()] == [(accepted_case.reference, "lead")]


@pytest.mark.parametrize(
    "name", ["panel_members", "panel_contributions", "panel_recommendation", "panel_recommendation_report"]
)
def test_a_case_the_caller_does_not_see_is_404(accepted_case, outsider, client_for, name):
    response = client_for(outsider).get(reverse(f"api:{name}", args=[accepted_case.pk]))

    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "not_found"


def test_the_coordinator_invites_and_removes_through_the_api(
    accepted_case, coordinator, external_expert, client_for
):
    client = client_for(coordinator)

    response = _post(
        client,
        "panel_invite",
        [accepted_case.pk],
        {"clinician_id": external_expert.clinician.pk, "role": "guest"},
    )

    assert response.status_code == 201
    assert response.json()["role"] == "guest" and response.json()["expires_at"]
    member_id = response.json()["id"]
    response = client.post(reverse("api:panel_remove", args=[accepted_case.pk, member_id]))
    assert response.status_code == 204
    assert not PanelMember.objects.filter(pk=member_id).exists()


def test_a_member_inviting_is_forbidden_and_a_clinician_without_account_is_422(
    accepted_case, coordinator, external_expert, client_for
):
    seat(accepted_case, external_expert)
    unregistered = ClinicianFactory()

    as_member = _post(
        client_for(external_expert), "panel_invite", [accepted_case.pk], {"clinician_id": unregistered.pk}
    )
    as_coordinator = _post(
        client_for(coordinator), "panel_invite", [accepted_case.pk], {"clinician_id": unregistered.pk}
    )

    assert (as_member.status_code, as_member.json()["code"]) == (403, "forbidden")
    assert (as_coordinator.status_code, as_coordinator.json()["code"]) == (422, "clinician_without_account")
    # Both refusals are audited, as refused case actions are (once, each with its code).
    refusals = AuditEvent.objects.filter(action="case.manage_panel", outcome=Outcome.DENIED)
    assert sorted((event.actor_id, event.detail["code"]) for event in refusals) == sorted(
        [(external_expert.pk, "forbidden"), (coordinator.pk, "clinician_without_account")]
    )


def test_contributions_are_posted_and_listed(accepted_case, expert, external_expert, client_for):
    seat(accepted_case, external_expert)
    seat(accepted_case, expert)
    client = client_for(external_expert)

    response = _post(
        client, "panel_contribute", [accepted_case.pk], {"kind": "opinion", "body": "@Erin Expert agreed."}
    )

    assert response.status_code == 201
    assert response.json()["mentions"] == [expert.pk]
    listed = client.get(reverse("api:panel_contributions", args=[accepted_case.pk])).json()
    assert [c["body"] for c in listed] == ["@Erin Expert agreed."]


def test_a_contribution_on_a_signed_case_is_a_conflict(accepted_case, external_expert, client_for):
    seat(accepted_case, external_expert)
    accepted_case.status = CaseStatus.SIGNED
    accepted_case.signed_at = accepted_case.submitted_at
    accepted_case.save()

    response = _post(client_for(external_expert), "panel_contribute", [accepted_case.pk], {"body": "Late"})

    assert (response.status_code, response.json()["code"]) == (409, "wrong_status")
    assert not Contribution.objects.exists()
    (refusal,) = AuditEvent.objects.filter(action="case.contribute")
    assert (refusal.outcome, refusal.detail["code"]) == (Outcome.DENIED, "wrong_status")


def test_the_lead_drafts_and_signs_through_the_api(accepted_case, external_expert, client_for, monkeypatch):
    monkeypatch.setattr("concilium.cases.report.render_report_pdf", lambda rec: b"%PDF-1.7 fake")
    seat(accepted_case, external_expert, PanelRole.LEAD)
    accepted_case.status = CaseStatus.SCHEDULED
    accepted_case.save()
    client = client_for(external_expert)
    draft = {"summary": "S", "recommendation": "R", "participants": [external_expert.pk]}

    assert (
        _post(client, "panel_recommendation_put", [accepted_case.pk], draft, method="put").status_code == 200
    )
    early = _post(client, "panel_recommendation_sign", [accepted_case.pk], {"credential": PASSWORD})
    assert (early.status_code, early.json()["code"]) == (409, "wrong_status")

    accepted_case.status = CaseStatus.DISCUSSED
    accepted_case.save()
    wrong = _post(client, "panel_recommendation_sign", [accepted_case.pk], {"credential": "nope"})
    assert (wrong.status_code, wrong.json()["code"]) == (422, "wrong_credential")

    signed = _post(client, "panel_recommendation_sign", [accepted_case.pk], {"credential": PASSWORD})
    assert signed.status_code == 200
    assert signed.json()["signed"] is True and len(signed.json()["content_sha256"]) == 64

    again = _post(client, "panel_recommendation_put", [accepted_case.pk], draft, method="put")
    assert (again.status_code, again.json()["code"]) == (409, "already_signed")
    report = client.get(reverse("api:panel_recommendation_report", args=[accepted_case.pk]))
    assert report.status_code == 200 and report["Content-Type"] == "application/pdf"


def test_the_draft_is_404_for_the_requester_until_signed(
    accepted_case, external_expert, requester, client_for
):
    seat(accepted_case, external_expert, PanelRole.LEAD)
    accepted_case.status = CaseStatus.SCHEDULED
    accepted_case.save()
    recommendation_save(case=accepted_case, actor=external_expert, summary="S", recommendation="R")

    response = client_for(requester).get(reverse("api:panel_recommendation", args=[accepted_case.pk]))

    assert (response.status_code, response.json()["code"]) == (404, "not_found")
    assert Recommendation.objects.exists()
