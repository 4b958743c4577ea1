"""Who sees a case: the owning hospital's clinicians, the group's coordinators and the panel (guests until
their access expires), for pages and the API alike. Everyone else gets 404, whatever the page or endpoint."""

from datetime import timedelta

import pytest
from django.utils import timezone

from concilium.audit.models import AuditEvent
from concilium.cases.models import Case, CaseAttachment, CaseStatus
from concilium.cases.permissions import CasePolicy
from concilium.notifications.models import Notification
from concilium.patients.services import consent_withdraw
from tests.cases.conftest import seat

pytestmark = pytest.mark.django_db

#: persona -> sees a submitted case of the requester's hospital, addressed to `group`, with a valid consent
SEES_SUBMITTED = {
    "requester": True,
    "expert": True,  # an expert working at the owning hospital
    "coordinator": True,  # a coordinator working at the owning hospital (not of this group)
    "helpdesk": False,
    "data_manager": False,
    "network_admin": False,
    "outsider": False,
    "group_coordinator": True,
    "other_coordinator": False,
    "group_member": False,  # a member of the group who is not on the case's panel
    "panel_expert": True,
    "guest_expert": True,
    "expired_guest": False,
}
#: Those who do not see it but were part of it: the page tells them why (403), with nothing of the case.
TOLD_WHY = {"expired_guest"}


@pytest.fixture
def submitted(complete_draft, advance, panel_expert, guest_expert, third_hospital):
    from tests.factories import UserFactory

    case = advance(complete_draft, CaseStatus.SUBMITTED)
    seat(case, panel_expert)
    seat(case, guest_expert, role="guest", expires_in=timedelta(days=30))
    expired = UserFactory(email="old@gamma.example", role="expert", hospital=third_hospital)
    seat(case, expired, role="guest", expires_in=timedelta(days=-1))
    return case


def _persona(request, name):  # type: ignore[no-untyped-def]
    if name == "expired_guest":
        from concilium.accounts.models import User

        return User.objects.get(email="old@gamma.example")
    return request.getfixturevalue(name)


@pytest.mark.parametrize(("persona", "sees"), SEES_SUBMITTED.items())
def test_who_sees_a_submitted_case_on_its_page(
    persona, sees, request, submitted, client_for, other_coordinator
):
    user = _persona(request, persona)
    response = client_for(user).get(f"/cases/{submitted.pk}/")
    assert response.status_code == (200 if sees else 403 if persona in TOLD_WHY else 404)
    if sees:
        assert submitted.reference in response.content.decode()
    else:
        assert submitted.patient.pseudonym not in response.content.decode()


@pytest.mark.parametrize(("persona", "sees"), SEES_SUBMITTED.items())
def test_who_sees_a_submitted_case_through_the_api(
    persona, sees, request, submitted, client_for, other_coordinator
):
    user = _persona(request, persona)
    response = client_for(user).get(f"/api/cases/{submitted.pk}")
    assert response.status_code == (200 if sees else 404)
    if not sees:
        assert response["Content-Type"] == "application/problem+json"


@pytest.mark.parametrize(("persona", "sees"), SEES_SUBMITTED.items())
def test_the_policy_queryset_agrees_with_the_object_check(
    persona, sees, request, submitted, other_coordinator
):
    user = _persona(request, persona)
    assert CasePolicy.visible(user).filter(pk=submitted.pk).exists() is sees
    assert CasePolicy.can(user, "view", Case.objects.select_related("patient").get(pk=submitted.pk)) is sees


@pytest.mark.parametrize("persona", ["group_coordinator", "panel_expert", "guest_expert"])
def test_a_draft_is_seen_only_by_its_hospital(persona, request, complete_draft, client_for):
    user = request.getfixturevalue(persona)
    if persona != "group_coordinator":
        seat(
            complete_draft,
            user,
            role="guest" if persona == "guest_expert" else "member",
            expires_in=timedelta(days=5),
        )
    assert client_for(user).get(f"/cases/{complete_draft.pk}/").status_code == 404
    assert client_for(user).get(f"/api/cases/{complete_draft.pk}").status_code == 404


def test_withdrawn_consent_stops_the_case_and_only_the_hospital_keeps_access(
    submitted, requester, group_coordinator, panel_expert, guest_expert, client_for, patient
):
    consent = patient.consents.get()
    consent_withdraw(
        consent=consent, actor=requester, withdrawn_on=timezone.localdate(), reason="Family wish."
    )
    case = Case.objects.get(pk=submitted.pk)
    assert case.status == CaseStatus.STOPPED
    assert case.stopped_at is not None
    assert client_for(requester).get(f"/cases/{case.pk}/").status_code == 200
    for user in (group_coordinator, panel_expert, guest_expert):
        page = client_for(user).get(f"/cases/{case.pk}/")
        assert page.status_code == 403  # the page says why (tests/cases/test_access_lost.py)
        assert page.context["lost"].reason == "consent_withdrawn"
        assert client_for(user).get(f"/api/cases/{case.pk}").status_code == 404
    assert AuditEvent.objects.filter(action="case.stopped", object_id=str(case.pk)).exists()
    # The coordinator is told of the stop (the requester did it), without a link to a case now closed to them.
    stop_links = dict(Notification.objects.filter(kind="case_stopped").values_list("recipient_id", "link"))
    assert stop_links == {group_coordinator.pk: ""}


def test_the_stop_tells_the_requester_and_the_coordinator(
    submitted, requester, group_coordinator, expert, patient
):
    from concilium.cases.services.lifecycle import cases_stop_for_withdrawn_consent
    from concilium.notifications.models import Notification

    stopped = cases_stop_for_withdrawn_consent(patient=patient, actor=expert)
    assert stopped == 1
    assert Notification.objects.filter(recipient=requester, kind="case_stopped").exists()
    assert Notification.objects.filter(recipient=group_coordinator, kind="case_stopped").exists()


def test_stopping_leaves_drafts_and_finished_cases_alone(complete_draft, advance, requester, patient, group):
    from concilium.cases.services.lifecycle import cases_stop_for_withdrawn_consent
    from tests.cases.conftest import complete
    from tests.factories import CaseFactory

    closed = advance(
        complete(CaseFactory(patient=patient, group=group, requester=requester), requester), "closed"
    )
    assert cases_stop_for_withdrawn_consent(patient=patient, actor=requester) == 0
    assert Case.objects.get(pk=complete_draft.pk).status == CaseStatus.DRAFT
    assert Case.objects.get(pk=closed.pk).status == CaseStatus.CLOSED


@pytest.mark.parametrize(
    "path",
    [
        "/cases/{pk}/edit/",
        "/cases/{pk}/decline/",
        "/cases/{pk}/schedule/",
        "/cases/{pk}/attachments/{attachment}/",
    ],
)
def test_every_case_page_is_404_for_an_outsider(path, submitted, outsider, client_for):
    attachment = CaseAttachment.objects.filter(case=submitted).first()
    response = client_for(outsider).get(path.format(pk=submitted.pk, attachment=attachment.pk))
    assert response.status_code == 404


@pytest.mark.parametrize(
    "path", ["submit", "accept", "discussed", "close", "messages", "attachments", "decline", "schedule"]
)
def test_every_case_post_is_404_for_an_outsider_and_changes_nothing(path, submitted, outsider, client_for):
    response = client_for(outsider).post(
        f"/cases/{submitted.pk}/{path}/", {"reason": "x", "body": "x", "discussion_on": "2030-01-01T10:00"}
    )
    assert response.status_code == 404
    assert Case.objects.get(pk=submitted.pk).status == CaseStatus.SUBMITTED


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("patch", "", {"question": "x"}),
        ("post", "/submit", None),
        ("post", "/accept", None),
        ("post", "/decline", {"reason": "no"}),
        ("post", "/schedule", {"discussion_on": "2030-01-01T10:00:00+01:00"}),
        ("get", "/attachments", None),
    ],
)
def test_every_case_endpoint_is_404_for_the_other_groups_coordinator(
    method, path, body, submitted, other_coordinator, client_for
):
    client = client_for(other_coordinator)
    call = getattr(client, method)
    response = (
        call(f"/api/cases/{submitted.pk}{path}", body, content_type="application/json")
        if body
        else call(f"/api/cases/{submitted.pk}{path}")
    )
    assert response.status_code == 404
    assert response.json()["status"] == 404
    assert Case.objects.get(pk=submitted.pk).status == CaseStatus.SUBMITTED


def test_an_unknown_case_and_an_invisible_one_answer_alike(submitted, outsider, client_for):
    client = client_for(outsider)
    hidden = client.get(f"/api/cases/{submitted.pk}")
    missing = client.get("/api/cases/999999")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json()


def test_reading_a_case_is_audited_on_the_page_and_the_api(submitted, group_coordinator, client_for, patient):
    client = client_for(group_coordinator)
    client.get(f"/cases/{submitted.pk}/")
    client.get(f"/api/cases/{submitted.pk}")
    views = AuditEvent.objects.filter(
        action="case.view", object_id=str(submitted.pk), actor_id=group_coordinator.pk
    )
    assert views.count() == 2
    assert set(views.values_list("patient_ref", flat=True)) == {patient.pseudonym}


def test_downloading_an_attachment_is_audited(submitted, panel_expert, client_for):
    attachment = CaseAttachment.objects.get(case=submitted)
    response = client_for(panel_expert).get(f"/cases/{submitted.pk}/attachments/{attachment.pk}/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    assert response["Content-Disposition"].startswith("attachment;")
    assert AuditEvent.objects.filter(
        action="attachment.download", object_id=str(attachment.pk), actor_id=panel_expert.pk
    ).exists()


def test_a_network_admin_edits_templates_but_sees_no_case(network_admin, submitted, group, client_for):
    client = client_for(network_admin)
    assert client.get("/cases/templates/").status_code == 200
    assert client.get(f"/cases/templates/{group.pk}/").status_code == 200
    assert client.get(f"/cases/{submitted.pk}/").status_code == 404
    assert client.get("/cases/").status_code == 403


@pytest.mark.parametrize("persona", ["requester", "coordinator", "helpdesk", "expert"])
def test_only_network_admins_edit_templates(persona, request, group, client_for):
    assert (
        client_for(request.getfixturevalue(persona)).get(f"/cases/templates/{group.pk}/").status_code == 403
    )
