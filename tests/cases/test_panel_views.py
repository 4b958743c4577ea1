"""The panel's pages: who sees them (404 for everyone else), invitations, the htmx discussion, My panels."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from concilium.audit.models import AuditEvent
from concilium.cases.models import Contribution, PanelMember, PanelRole
from tests.cases.conftest_panel import make_case, seat
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PAGES = ["cases:panel", "cases:discussion", "cases:recommendation", "cases:recommendation_report"]
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize(
    "persona", ["outsider", "helpdesk", "network_admin", "data_manager", "external_expert"]
)
def test_who_is_not_on_the_panel_nor_of_the_hospital_gets_404(
    accepted_case, client_for, request, page, persona
):
    user = request.getfixturevalue(persona)

    assert client_for(user).get(reverse(page, args=[accepted_case.pk])).status_code == 404


@pytest.mark.parametrize("page", PAGES[:3])
def test_an_invited_expert_of_another_network_sees_the_panel_pages(
    accepted_case, external_expert, client_for, page
):
    seat(accepted_case, external_expert)

    assert client_for(external_expert).get(reverse(page, args=[accepted_case.pk])).status_code == 200


def test_a_guest_loses_the_pages_when_the_access_expires(accepted_case, external_expert, client_for):
    guest = seat(accepted_case, external_expert, PanelRole.GUEST)
    client = client_for(external_expert)
    url = reverse("cases:discussion", args=[accepted_case.pk])
    assert client.get(url).status_code == 200

    PanelMember.objects.filter(pk=guest.pk).update(expires_at=timezone.now() - timedelta(seconds=1))

    expired = client.get(url)
    assert expired.status_code == 403  # the page says why, and nothing of the case
    assert expired.context["lost"].reason == "guest_access_ended"
    assert "Discussion" not in expired.content.decode()
    assert accepted_case.reference not in client.get(reverse("cases:my_panels")).content.decode()


def test_the_coordinator_forms_the_panel_with_the_button(accepted_case, coordinator, expert, client_for):
    client = client_for(coordinator)

    response = client.post(reverse("cases:panel_form", args=[accepted_case.pk]))

    assert response.status_code == 302
    assert set(PanelMember.objects.filter(case=accepted_case).values_list("user_id", flat=True)) == {
        coordinator.pk,
        expert.pk,
    }


def test_the_coordinator_invites_a_guest_from_the_directory(
    accepted_case, coordinator, external_expert, client_for
):
    client = client_for(coordinator)
    url = reverse("cases:panel_candidates", args=[accepted_case.pk])
    search = client.post(url, {"q": "gia ext"}, **HTMX).content.decode()
    assert f'value="{external_expert.clinician.pk}"' in search
    # The name being typed never travels in an address: the look-up takes no GET.
    assert client.get(url, {"q": "gia ext"}, **HTMX).status_code == 405

    response = client.post(
        reverse("cases:panel_invite", args=[accepted_case.pk]),
        {"clinician": external_expert.clinician.pk, "role": "guest", "expires_on": ""},
    )

    assert response.status_code == 302
    member = PanelMember.objects.get(case=accepted_case, user=external_expert)
    assert member.role == PanelRole.GUEST and member.expires_at > timezone.now() + timedelta(days=29)
    assert AuditEvent.objects.filter(action="panel.invited", detail__user=external_expert.pk).exists()


def test_a_guest_expiry_beyond_ninety_days_shows_an_error_and_invites_no_one(
    accepted_case, coordinator, external_expert, client_for
):
    too_late = (timezone.localdate() + timedelta(days=120)).isoformat()

    response = client_for(coordinator).post(
        reverse("cases:panel_invite", args=[accepted_case.pk]),
        {"clinician": external_expert.clinician.pk, "role": "guest", "expires_on": too_late},
    )

    assert response.status_code == 200
    assert "at most 90 days ahead" in response.content.decode()
    assert not PanelMember.objects.filter(case=accepted_case).exists()


def test_a_plain_member_sees_the_panel_but_no_invitation_form(accepted_case, external_expert, client_for):
    seat(accepted_case, external_expert)

    page = client_for(external_expert).get(reverse("cases:panel", args=[accepted_case.pk])).content.decode()

    assert "Gia External" in page
    assert "Invite an expert" not in page


def test_a_plain_member_cannot_remove_anyone(accepted_case, coordinator, external_expert, client_for):
    seat(accepted_case, coordinator, PanelRole.LEAD)
    seat(accepted_case, external_expert)
    other = seat(accepted_case, UserFactory(full_name="Other Member", hospital=external_expert.hospital))

    client_for(external_expert).post(reverse("cases:panel_remove", args=[accepted_case.pk, other.pk]))

    assert PanelMember.objects.filter(pk=other.pk).exists()


def test_posting_to_the_discussion_with_htmx_returns_the_thread(accepted_case, external_expert, client_for):
    seat(accepted_case, external_expert)

    response = client_for(external_expert).post(
        reverse("cases:discussion", args=[accepted_case.pk]),
        {"kind": "opinion", "body": "Radiotherapy seems premature."},
        **HTMX,
    )

    assert response.status_code == 200
    body = response.content.decode()
    assert "Radiotherapy seems premature." in body and "<html" not in body
    assert Contribution.objects.get().author == external_expert


def test_a_nul_byte_in_a_contribution_is_a_form_error(accepted_case, external_expert, client_for):
    seat(accepted_case, external_expert)

    response = client_for(external_expert).post(
        reverse("cases:discussion", args=[accepted_case.pk]), {"kind": "opinion", "body": "bad\x00text"}
    )

    assert response.status_code == 200
    assert not Contribution.objects.exists()


def test_the_mention_autocomplete_offers_panel_members_only(
    accepted_case, coordinator, expert, external_expert, client_for
):
    seat(accepted_case, coordinator, PanelRole.LEAD)
    seat(accepted_case, expert)

    url = reverse("cases:discussion_mentions", args=[accepted_case.pk])
    response = client_for(coordinator).post(url, {"body": "What do you think @er"}, **HTMX)

    body = response.content.decode()
    assert 'data-mention-insert="Erin Expert"' in body
    assert "Gia External" not in body
    # The draft never travels in an address: the look-up takes no GET.
    assert client_for(coordinator).get(url, {"body": "What do you think @er"}, **HTMX).status_code == 405


def test_the_discussion_read_is_audited(accepted_case, external_expert, client_for):
    seat(accepted_case, external_expert)

    client_for(external_expert).get(reverse("cases:discussion", args=[accepted_case.pk]))

    event = AuditEvent.objects.get(action="case.discussion_view")
    assert event.actor_id == external_expert.pk and event.patient_ref == accepted_case.patient.pseudonym


def test_my_panels_lists_my_seats_with_my_role(
    accepted_case, brain_group, requester, external_expert, client_for
):
    seat(accepted_case, external_expert, PanelRole.LEAD)
    not_mine = make_case(group=brain_group, requester=requester)

    page = client_for(external_expert).get(reverse("cases:my_panels")).content.decode()

    assert accepted_case.reference in page and not_mine.reference not in page
    assert "Lead" in page


def _queries(client, url):  # type: ignore[no-untyped-def]
    client.get(url)  # warm the per-process caches (content types, translations) before counting
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_my_panels_takes_the_same_number_of_queries_for_one_or_many_cases(
    brain_group, requester, expert, client_for
):
    client = client_for(expert)
    url = reverse("cases:my_panels")
    seat(make_case(group=brain_group, requester=requester), expert)
    few = _queries(client, url)

    for _ in range(6):
        seat(make_case(group=brain_group, requester=requester, urgent=True), expert)
    many = _queries(client, url)

    assert few == many


def test_the_discussion_takes_the_same_number_of_queries_for_few_or_many_contributions(
    accepted_case, coordinator, expert, external_expert, client_for
):
    seat(accepted_case, coordinator, PanelRole.LEAD)
    seat(accepted_case, expert)
    seat(accepted_case, external_expert)
    client = client_for(external_expert)
    url = reverse("cases:discussion", args=[accepted_case.pk])
    Contribution.objects.create(case=accepted_case, author=expert, body="first")
    few = _queries(client, url)

    for author in (coordinator, expert, external_expert) * 3:
        contribution = Contribution.objects.create(case=accepted_case, author=author, body="more")
        contribution.mentions.set([expert, coordinator])
    many = _queries(client, url)

    assert few == many
