"""The panel's services: forming it from the group, invitations, guests, the lead, contributions, mentions."""

from datetime import timedelta

import pytest
from django.utils import timezone

from concilium.audit.models import AuditEvent
from concilium.cases.models import CaseStatus, Contribution, PanelMember, PanelRole
from concilium.cases.permissions import CasePolicy
from concilium.cases.services import CaseTransitionError
from concilium.cases.services.panel import (
    contribution_post,
    mentioned_users,
    panel_form_from_group,
    panel_invite,
    panel_remove,
    panel_set_lead,
)
from concilium.notifications.models import Notification
from tests.cases.conftest_panel import seat
from tests.factories import ClinicianFactory

pytestmark = pytest.mark.django_db


def test_forming_the_panel_seats_the_group_and_makes_the_coordinator_lead(accepted_case, coordinator, expert):
    added = panel_form_from_group(case=accepted_case, actor=coordinator)

    roles = dict(PanelMember.objects.filter(case=accepted_case).values_list("user_id", "role"))
    assert roles == {coordinator.pk: PanelRole.LEAD, expert.pk: PanelRole.MEMBER}
    assert {m.user_id for m in added} == {coordinator.pk, expert.pk}
    assert AuditEvent.objects.filter(action="panel.formed", object_id=str(accepted_case.pk)).exists()


def test_forming_the_panel_twice_adds_no_one_and_notifies_no_one_again(accepted_case, coordinator, expert):
    panel_form_from_group(case=accepted_case, actor=coordinator)
    sent = Notification.objects.filter(kind="panel_invited").count()

    added = panel_form_from_group(case=accepted_case, actor=coordinator)

    assert added == []
    assert PanelMember.objects.filter(case=accepted_case).count() == 2
    assert Notification.objects.filter(kind="panel_invited").count() == sent


def test_forming_the_panel_is_refused_before_the_case_is_accepted(accepted_case, coordinator):
    accepted_case.status = CaseStatus.SUBMITTED
    accepted_case.save()

    with pytest.raises(CaseTransitionError) as refused:
        panel_form_from_group(case=accepted_case, actor=coordinator)

    assert refused.value.code == "wrong_status"
    assert not PanelMember.objects.filter(case=accepted_case).exists()


def test_an_expert_of_another_network_can_be_invited_and_then_sees_the_case(
    accepted_case, coordinator, external_expert
):
    assert not CasePolicy.visible(external_expert).filter(pk=accepted_case.pk).exists()

    member = panel_invite(
        case=accepted_case, clinician=external_expert.clinician, role=PanelRole.MEMBER, actor=coordinator
    )

    assert member.role == PanelRole.MEMBER and member.expires_at is None
    assert CasePolicy.visible(external_expert).filter(pk=accepted_case.pk).exists()
    notice = Notification.objects.get(recipient=external_expert, kind="panel_invited", channel="email")
    assert notice.link == f"/cases/{accepted_case.pk}/"


def test_a_guest_is_invited_for_thirty_days_by_default(accepted_case, coordinator, external_expert):
    member = panel_invite(
        case=accepted_case, clinician=external_expert.clinician, role=PanelRole.GUEST, actor=coordinator
    )

    expected = timezone.now() + timedelta(days=30)
    assert abs((member.expires_at - expected).total_seconds()) < 60


@pytest.mark.parametrize("days", [-1, 91, 365])
def test_a_guest_access_beyond_ninety_days_or_in_the_past_is_refused(
    accepted_case, coordinator, external_expert, days
):
    with pytest.raises(CaseTransitionError) as refused:
        panel_invite(
            case=accepted_case,
            clinician=external_expert.clinician,
            role=PanelRole.GUEST,
            expires_at=timezone.now() + timedelta(days=days),
            actor=coordinator,
        )

    assert refused.value.code == "bad_expiry"
    assert not PanelMember.objects.filter(case=accepted_case).exists()


def test_a_guest_loses_access_when_the_invitation_expires(accepted_case, coordinator, external_expert):
    member = panel_invite(
        case=accepted_case, clinician=external_expert.clinician, role=PanelRole.GUEST, actor=coordinator
    )
    assert CasePolicy.visible(external_expert).filter(pk=accepted_case.pk).exists()

    PanelMember.objects.filter(pk=member.pk).update(expires_at=timezone.now() - timedelta(minutes=1))

    assert not CasePolicy.visible(external_expert).filter(pk=accepted_case.pk).exists()
    assert not CasePolicy.can(external_expert, "view", accepted_case)


def test_an_expired_guest_can_be_invited_again(accepted_case, coordinator, external_expert):
    seat(accepted_case, external_expert, PanelRole.GUEST, expires_at=timezone.now() - timedelta(days=1))

    member = panel_invite(
        case=accepted_case, clinician=external_expert.clinician, role=PanelRole.GUEST, actor=coordinator
    )

    assert member.expires_at > timezone.now()
    assert PanelMember.objects.filter(case=accepted_case, user=external_expert).count() == 1


def test_inviting_someone_already_on_the_panel_is_refused(accepted_case, coordinator, external_expert):
    seat(accepted_case, external_expert)

    with pytest.raises(CaseTransitionError) as refused:
        panel_invite(
            case=accepted_case, clinician=external_expert.clinician, role=PanelRole.MEMBER, actor=coordinator
        )

    assert refused.value.code == "already_on_panel"


def test_a_directory_clinician_without_an_account_cannot_be_invited(accepted_case, coordinator):
    unregistered = ClinicianFactory(full_name="Una Unregistered")

    with pytest.raises(CaseTransitionError) as refused:
        panel_invite(case=accepted_case, clinician=unregistered, role=PanelRole.MEMBER, actor=coordinator)

    assert refused.value.code == "clinician_without_account"


def test_a_panel_member_who_is_not_the_lead_cannot_invite(accepted_case, expert, external_expert):
    seat(accepted_case, expert)

    with pytest.raises(CaseTransitionError) as refused:
        panel_invite(
            case=accepted_case, clinician=external_expert.clinician, role=PanelRole.MEMBER, actor=expert
        )

    assert refused.value.code == "forbidden"


def test_the_lead_can_be_handed_over_and_the_previous_lead_stays_a_member(accepted_case, coordinator, expert):
    seat(accepted_case, coordinator, PanelRole.LEAD)
    member = seat(accepted_case, expert)

    panel_set_lead(case=accepted_case, member=member, actor=coordinator)

    roles = dict(PanelMember.objects.filter(case=accepted_case).values_list("user_id", "role"))
    assert roles == {coordinator.pk: PanelRole.MEMBER, expert.pk: PanelRole.LEAD}
    assert Notification.objects.filter(recipient=expert, kind="panel_lead").exists()


def test_a_guest_cannot_lead(accepted_case, coordinator, external_expert):
    guest = seat(accepted_case, external_expert, PanelRole.GUEST)

    with pytest.raises(CaseTransitionError) as refused:
        panel_set_lead(case=accepted_case, member=guest, actor=coordinator)

    assert refused.value.code == "guest_cannot_lead"


def test_the_lead_cannot_be_removed_but_a_member_can(accepted_case, coordinator, expert):
    lead = seat(accepted_case, coordinator, PanelRole.LEAD)
    member = seat(accepted_case, expert)

    with pytest.raises(CaseTransitionError) as refused:
        panel_remove(case=accepted_case, member=lead, actor=coordinator)
    assert refused.value.code == "lead_cannot_be_removed"
    panel_remove(case=accepted_case, member=member, actor=coordinator)

    assert list(PanelMember.objects.filter(case=accepted_case).values_list("user_id", flat=True)) == [
        coordinator.pk
    ]
    event = AuditEvent.objects.get(action="panel.removed")
    assert event.detail == {"user": expert.pk, "role": "member"}
    assert event.patient_ref == accepted_case.patient.pseudonym


# --- Contributions ------------------------------------------------------------------------------------------


def test_mentions_are_read_from_at_and_a_panel_member_full_name(expert, coordinator, external_expert):
    text = "I agree with @erin expert, and @Gia External should look at the MRI. @Nobody"

    found = mentioned_users(text, [expert, coordinator, external_expert])

    assert {u.pk for u in found} == {expert.pk, external_expert.pk}


def test_an_email_address_is_not_a_mention(expert):
    assert mentioned_users("write to someone@Erin Expert.example", [expert]) == []


def test_a_contribution_notifies_the_mentioned_members_only(
    accepted_case, coordinator, expert, external_expert
):
    seat(accepted_case, coordinator, PanelRole.LEAD)
    seat(accepted_case, expert)
    seat(accepted_case, external_expert)

    contribution = contribution_post(
        case=accepted_case, actor=coordinator, body="@Erin Expert what do you think of the margins?"
    )

    assert list(contribution.mentions.all()) == [expert]
    assert (
        Notification.objects.filter(kind="panel_mentioned", recipient=expert).count() == 2
    )  # email + in-app
    assert not Notification.objects.filter(kind="panel_mentioned").exclude(recipient=expert).exists()
    event = AuditEvent.objects.get(action="contribution.posted")
    assert event.detail == {"case": accepted_case.pk, "kind": "opinion", "mentions": [expert.pk]}


def test_a_request_for_information_notifies_the_requester(accepted_case, requester, expert):
    seat(accepted_case, expert)

    contribution_post(
        case=accepted_case, actor=expert, body="Is there a spine MRI?", kind=Contribution.Kind.REQUEST_INFO
    )

    assert Notification.objects.filter(recipient=requester, kind="panel_information_requested").exists()


def test_the_requester_can_answer_but_cannot_ask_for_information(accepted_case, requester):
    contribution_post(case=accepted_case, actor=requester, body="The spine MRI is attached.")

    with pytest.raises(CaseTransitionError) as refused:
        contribution_post(case=accepted_case, actor=requester, body="?", kind=Contribution.Kind.REQUEST_INFO)

    assert refused.value.code == "forbidden"


def test_notifications_of_the_panel_carry_no_patient_data(accepted_case, requester, coordinator, expert):
    seat(accepted_case, coordinator, PanelRole.LEAD)
    seat(accepted_case, expert)
    panel_form_from_group(case=accepted_case, actor=coordinator)
    contribution_post(
        case=accepted_case,
        actor=coordinator,
        body="@Erin Expert secret clinical detail",
        kind=Contribution.Kind.REQUEST_INFO,
    )

    notices = list(Notification.objects.all())
    assert {n.kind for n in notices} >= {"panel_mentioned", "panel_information_requested"}
    patient = accepted_case.patient
    for notice in notices:
        text = f"{notice.subject}\n{notice.body}"
        for secret in (
            patient.pseudonym,
            patient.diagnosis,
            "secret",
            accepted_case.reference,
            "Medulloblastoma",
        ):
            assert secret not in text, (notice.kind, secret)


@pytest.mark.parametrize("status", [CaseStatus.SUBMITTED, CaseStatus.SIGNED, CaseStatus.CLOSED])
def test_no_contribution_outside_accepted_scheduled_or_discussed(accepted_case, expert, status):
    seat(accepted_case, expert)
    accepted_case.status = status
    accepted_case.save()

    with pytest.raises(CaseTransitionError) as refused:
        contribution_post(case=accepted_case, actor=expert, body="Late opinion")

    assert refused.value.code == "wrong_status"
    assert not Contribution.objects.exists()


@pytest.mark.parametrize("body", ["", "   ", "nul\x00byte", "x" * 10_001, "<script>alert(1)</script>"])
def test_bad_contribution_text_is_refused_and_nothing_is_written(accepted_case, expert, body):
    seat(accepted_case, expert)

    with pytest.raises(CaseTransitionError) as refused:
        contribution_post(case=accepted_case, actor=expert, body=body)

    assert refused.value.code == "invalid"
    assert not Contribution.objects.exists()


def test_panel_members_of_other_hospitals_lose_the_case_without_consent(accepted_case, external_expert):
    seat(accepted_case, external_expert)
    patient = accepted_case.patient
    patient.has_care_consent = False
    patient.save()

    with pytest.raises(CaseTransitionError) as refused:
        contribution_post(case=accepted_case, actor=external_expert, body="Opinion")

    assert refused.value.code == "not_found"
