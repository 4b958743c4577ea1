"""No dead ends: someone who was part of a case (or was told of it) and can no longer open it is told why, on
the case's page and in their notifications, without any of the case's data; anyone else gets the plain 404
that does not even say the case exists."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from concilium.audit.models import AuditEvent, Outcome
from concilium.cases.models import Case, CaseStatus, PanelMember
from concilium.cases.services.lifecycle import case_decline, case_submit, case_update
from concilium.cases.services.panel import panel_remove
from concilium.notifications.models import Notification
from concilium.notifications.services import notification_enqueue
from concilium.patients.services import consent_withdraw
from tests.cases.conftest import seat

pytestmark = pytest.mark.django_db

SECRET_HISTORY = "Seizures since March, a left frontal lesion"


@pytest.fixture
def accepted(complete_draft, advance, requester, panel_expert):
    case_update(case=complete_draft, actor=requester, episode={"clinical_history": SECRET_HISTORY})
    case = advance(complete_draft, CaseStatus.ACCEPTED)
    seat(case, panel_expert)
    return case


def _opened(client, case: Case) -> None:
    assert client.get(f"/cases/{case.pk}/").status_code == 200


def _withdraw(patient, requester) -> None:  # type: ignore[no-untyped-def]
    consent_withdraw(
        consent=patient.consents.get(),
        actor=requester,
        withdrawn_on=timezone.localdate(),
        reason="Family wish.",
    )


def _assert_tells_why_and_nothing_else(response, case: Case, reason: str) -> str:  # type: ignore[no-untyped-def]
    page = response.content.decode()
    assert response.status_code == 403
    assert response.context["lost"].reason == reason
    assert f'data-reason="{reason}"' in page
    for secret in (case.patient.pseudonym, case.patient.diagnosis, SECRET_HISTORY):
        assert secret not in page
    return page


def test_a_panel_member_whose_case_lost_its_consent_is_told_why(
    accepted, requester, panel_expert, patient, client_for
):
    client = client_for(panel_expert)
    _opened(client, accepted)
    _withdraw(patient, requester)

    page = _assert_tells_why_and_nothing_else(
        client.get(f"/cases/{accepted.pk}/"), accepted, "consent_withdrawn"
    )

    assert "withdrew their consent" in page
    assert accepted.reference in page  # they opened it before: its reference is nothing new to them
    assert accepted.group.name in page
    assert AuditEvent.objects.filter(
        action="case.view",
        actor_id=panel_expert.pk,
        object_id=str(accepted.pk),
        outcome=Outcome.DENIED,
        detail__code="consent_withdrawn",
    ).exists()


def test_a_coordinator_follows_an_old_link_to_a_case_stopped_by_withdrawn_consent(
    accepted, requester, group_coordinator, patient, client_for
):
    _withdraw(patient, requester)

    response = client_for(group_coordinator).get(f"/cases/{accepted.pk}/")

    _assert_tells_why_and_nothing_else(response, accepted, "consent_withdrawn")


def test_someone_taken_off_the_panel_is_told_so(accepted, panel_expert, group_coordinator, client_for):
    client = client_for(panel_expert)
    _opened(client, accepted)
    panel_remove(
        case=accepted,
        member=PanelMember.objects.get(case=accepted, user=panel_expert),
        actor=group_coordinator,
    )

    response = client.get(f"/cases/{accepted.pk}/")

    _assert_tells_why_and_nothing_else(response, accepted, "removed_from_panel")
    # The discussion, which mentions link to, says the same.
    discussion = client.get(reverse("cases:discussion", args=[accepted.pk]))
    _assert_tells_why_and_nothing_else(discussion, accepted, "removed_from_panel")


def test_a_guest_whose_access_ended_is_told_when(accepted, guest_expert, client_for):
    seat(accepted, guest_expert, role="guest", expires_in=timedelta(days=-2))

    response = client_for(guest_expert).get(f"/cases/{accepted.pk}/")

    page = _assert_tells_why_and_nothing_else(response, accepted, "guest_access_ended")
    assert "ended on" in page
    assert accepted.reference not in page  # never opened: the reference is not given away


def test_a_group_member_told_of_an_urgent_case_learns_it_waits_for_acceptance(
    complete_draft, requester, group_member, client_for
):
    case_update(case=complete_draft, actor=requester, urgent=True)
    case = case_submit(case=complete_draft, actor=requester)
    told = Notification.objects.get(recipient=group_member, kind="case_urgent", channel="in_app")
    assert told.link == ""  # not a link they cannot open

    response = client_for(group_member).get(f"/cases/{case.pk}/")

    page = _assert_tells_why_and_nothing_else(response, case, "not_yet_accepted")
    assert case.reference not in page


def test_a_group_member_learns_that_an_announced_urgent_case_was_declined(
    complete_draft, requester, group_member, group_coordinator, client_for
):
    case_update(case=complete_draft, actor=requester, urgent=True)
    case = case_submit(case=complete_draft, actor=requester)
    case_decline(case=case, actor=group_coordinator, reason="Outside the group's remit.")

    response = client_for(group_member).get(f"/cases/{case.pk}/")

    _assert_tells_why_and_nothing_else(response, case, "declined")


def test_a_group_member_never_told_of_a_case_gets_the_plain_404(
    complete_draft, requester, group_member, client_for
):
    case = case_submit(case=complete_draft, actor=requester)  # not urgent: members are not told

    response = client_for(group_member).get(f"/cases/{case.pk}/")

    assert response.status_code == 404
    assert "lost" not in (response.context or {})


@pytest.mark.parametrize("persona", ["outsider", "other_coordinator", "helpdesk", "network_admin"])
def test_those_who_never_had_access_get_the_plain_404(
    persona, accepted, requester, patient, request, client_for
):
    _withdraw(patient, requester)
    user = request.getfixturevalue(persona)

    for url in (f"/cases/{accepted.pk}/", reverse("cases:discussion", args=[accepted.pk])):
        response = client_for(user).get(url)
        assert response.status_code == 404
        assert accepted.group.name not in response.content.decode()
    assert client_for(user).get("/cases/999999/").status_code == 404
    assert not AuditEvent.objects.filter(actor_id=user.pk, outcome=Outcome.DENIED).exists()


def _inbox_item(client, notification: Notification) -> str:  # type: ignore[no-untyped-def]
    page = client.get(reverse("notifications:inbox")).content.decode()
    start = page.index(f'id="notification-{notification.pk}"')
    return page[start : page.index("</li>", start)]


def test_the_inbox_shows_why_instead_of_a_dead_link(accepted, requester, panel_expert, patient, client_for):
    (notice,) = notification_enqueue(
        app="cases",
        recipient=panel_expert,
        kind="panel_invited",
        context={"role": "member"},
        link=f"/cases/{accepted.pk}/",
        channels=("in_app",),
    )
    client = client_for(panel_expert)
    assert f'href="/cases/{accepted.pk}/"' in _inbox_item(client, notice)

    _withdraw(patient, requester)

    item = _inbox_item(client, notice)
    assert f'href="/cases/{accepted.pk}/"' not in item
    assert "withdrew their consent" in item
    # Marking it read (htmx) re-renders the item the same way.
    marked = client.post(reverse("notifications:inbox_mark_read", args=[notice.pk]), HTTP_HX_REQUEST="true")
    assert "withdrew their consent" in marked.content.decode()
    assert f'href="/cases/{accepted.pk}/"' not in marked.content.decode()


def test_the_inbox_keeps_links_its_reader_can_open(accepted, requester, client_for):
    (notice,) = notification_enqueue(
        app="cases",
        recipient=requester,
        kind="case_accepted",
        link=f"/cases/{accepted.pk}/",
        channels=("in_app",),
    )
    assert accepted.status == CaseStatus.ACCEPTED

    item = _inbox_item(client_for(requester), notice)

    assert f'href="/cases/{accepted.pk}/"' in item
    assert "inbox-closed" not in item
