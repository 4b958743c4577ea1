"""The case lifecycle: each transition's rule, its timestamps, audit event and notifications; forged
transitions are refused with a clear error and leave the case as it was."""

from datetime import timedelta

import pytest
from django.utils import timezone

from concilium.audit.models import AuditEvent
from concilium.cases.models import Case, CaseStatus
from concilium.cases.services import CaseTransitionError
from concilium.cases.services.lifecycle import (
    case_accept,
    case_close,
    case_create,
    case_decline,
    case_mark_discussed,
    case_schedule,
    case_submit,
    case_update,
)
from concilium.cases.services.messages import case_message_post
from concilium.notifications.models import Notification
from tests.cases.conftest import PatientFactory, complete
from tests.factories import CaseFactory

pytestmark = pytest.mark.django_db


def _snapshot(case: Case) -> dict[str, object]:
    fresh = Case.objects.get(pk=case.pk)
    return {
        f.attname: getattr(fresh, f.attname) for f in Case._meta.concrete_fields if f.name != "updated_at"
    }


def test_a_clinician_creates_a_draft_with_a_yearly_reference(requester, patient, group):
    first = case_create(actor=requester, patient=patient, group=group, episode={"question": "Surgery first?"})
    second = case_create(actor=requester, patient=patient, group=group, urgent=True)
    year = timezone.localdate().year
    assert first.status == CaseStatus.DRAFT
    assert first.reference == f"C-{year}-00001"
    assert second.reference == f"C-{year}-00002"
    assert second.urgent
    assert first.hospital_id == requester.hospital_id
    assert AuditEvent.objects.filter(action="case.create", object_id=str(first.pk)).exists()


def test_a_clinician_cannot_start_a_case_for_another_hospitals_patient(outsider, patient, group):
    with pytest.raises(CaseTransitionError) as error:
        case_create(actor=outsider, patient=patient, group=group)
    assert error.value.code == "not_found"
    assert not Case.objects.exists()


@pytest.mark.parametrize("persona", ["helpdesk", "data_manager", "network_admin"])
def test_non_clinical_roles_cannot_start_cases(persona, request, patient, group):
    actor = request.getfixturevalue(persona)
    with pytest.raises(CaseTransitionError) as refused:
        case_create(actor=actor, patient=patient, group=group)
    assert refused.value.code == "forbidden"
    assert not Case.objects.exists()


def test_the_full_journey_sets_every_timestamp(complete_draft, advance, requester):
    case = advance(complete_draft, CaseStatus.CLOSED)
    assert case.status == CaseStatus.CLOSED
    for stamp in ("submitted_at", "decided_at", "discussion_on", "discussed_at", "signed_at", "closed_at"):
        assert getattr(case, stamp) is not None, stamp
    actions = set(AuditEvent.objects.filter(object_id=str(case.pk)).values_list("action", flat=True))
    assert {"case.submit", "case.accept", "case.schedule", "case.discussed", "case.close"} <= actions


def test_submitting_an_incomplete_case_lists_what_is_missing(draft, requester):
    before = _snapshot(draft)
    with pytest.raises(CaseTransitionError) as error:
        case_submit(case=draft, actor=requester)
    assert error.value.code == "incomplete"
    assert error.value.missing == ["Brain MRI report attached", "Discussed in the local tumour board"]
    assert "Brain MRI report attached" in error.value.message
    assert _snapshot(draft) == before


def test_a_required_section_left_empty_blocks_submission(complete_draft, requester):
    case_update(case=complete_draft, actor=requester, episode={"question": "   "})
    with pytest.raises(CaseTransitionError) as error:
        case_submit(case=complete_draft, actor=requester)
    assert error.value.code == "incomplete"
    assert error.value.missing == ["Question to the panel"]


def test_submission_tells_the_coordinators_without_patient_data(
    complete_draft, requester, group_coordinator, patient
):
    case_submit(case=complete_draft, actor=requester)
    notices = Notification.objects.filter(recipient=group_coordinator, kind="case_submitted")
    assert notices.count() == 2  # email and in-app
    for notice in notices:
        assert notice.link == f"/cases/{complete_draft.pk}/"
        text = notice.subject + notice.body
        assert patient.pseudonym not in text
        assert patient.diagnosis not in text
        assert complete_draft.clinical_history not in text
        assert complete_draft.reference not in text


def test_an_urgent_case_is_announced_at_once_to_the_whole_group(
    complete_draft, requester, group_coordinator, group_member
):
    case_update(case=complete_draft, actor=requester, urgent=True)
    case_submit(case=complete_draft, actor=requester)
    links = {
        person: set(
            Notification.objects.filter(recipient=person, kind="case_urgent").values_list("link", flat=True)
        )
        for person in (group_coordinator, group_member)
    }
    # The coordinator opens the case at once; a member sees it once on its panel: no dead link before.
    assert links == {group_coordinator: {f"/cases/{complete_draft.pk}/"}, group_member: {""}}
    assert not Notification.objects.filter(kind="case_submitted").exists()


def test_accepting_tells_the_requester(complete_draft, advance, requester):
    advance(complete_draft, CaseStatus.ACCEPTED)
    assert Notification.objects.filter(recipient=requester, kind="case_accepted").count() == 2


def test_accepting_seats_the_group_on_the_panel_with_the_accepting_coordinator_as_lead(
    complete_draft, advance, group_coordinator, group_member
):
    case = advance(complete_draft, CaseStatus.ACCEPTED)
    seats = dict(case.panel.values_list("user_id", "role"))
    assert seats == {group_coordinator.pk: "lead", group_member.pk: "member"}


def test_declining_needs_a_reason_and_tells_the_requester(
    complete_draft, advance, group_coordinator, requester
):
    case = advance(complete_draft, CaseStatus.SUBMITTED)
    before = _snapshot(case)
    with pytest.raises(CaseTransitionError) as error:
        case_decline(case=case, actor=group_coordinator, reason="  ")
    assert error.value.code == "invalid"
    assert _snapshot(case) == before
    case = case_decline(case=case, actor=group_coordinator, reason="Better suited to the Ewing group.")
    assert case.status == CaseStatus.DECLINED
    assert case.decided_at is not None
    assert case.decline_reason == "Better suited to the Ewing group."
    assert Notification.objects.filter(recipient=requester, kind="case_declined").exists()
    assert AuditEvent.objects.filter(action="case.decline", object_id=str(case.pk)).exists()


def test_scheduling_sets_the_discussion_date_and_tells_the_requester(
    complete_draft, advance, group_coordinator, requester
):
    case = advance(complete_draft, CaseStatus.ACCEPTED)
    when = timezone.now() + timedelta(days=3)
    case = case_schedule(case=case, actor=group_coordinator, discussion_on=when)
    assert case.status == CaseStatus.SCHEDULED
    assert case.discussion_on == when
    assert Notification.objects.filter(recipient=requester, kind="case_scheduled").exists()


@pytest.mark.parametrize("when", [timedelta(days=-1), timedelta(days=3 * 365)])
def test_a_discussion_date_in_the_past_or_far_future_is_refused(
    when, complete_draft, advance, group_coordinator
):
    case = advance(complete_draft, CaseStatus.ACCEPTED)
    before = _snapshot(case)
    with pytest.raises(CaseTransitionError) as error:
        case_schedule(case=case, actor=group_coordinator, discussion_on=timezone.now() + when)
    assert error.value.code == "invalid"
    assert _snapshot(case) == before


def test_a_naive_discussion_date_is_refused(complete_draft, advance, group_coordinator):
    case = advance(complete_draft, CaseStatus.ACCEPTED)
    with pytest.raises(CaseTransitionError) as refused:
        case_schedule(case=case, actor=group_coordinator, discussion_on=timezone.now().replace(tzinfo=None))
    assert refused.value.code == "invalid"
    assert Case.objects.get(pk=case.pk).status == CaseStatus.ACCEPTED


# Every transition attempted from a status it does not start from is refused and changes nothing.
# (transition, status, code): a draft is invisible to the coordinator (not_found), otherwise the status
# is wrong.
FORGERIES = [
    ("accept", CaseStatus.DRAFT, "not_found"),
    ("accept", CaseStatus.ACCEPTED, "wrong_status"),
    ("accept", CaseStatus.SCHEDULED, "wrong_status"),
    ("decline", CaseStatus.DRAFT, "not_found"),
    ("decline", CaseStatus.ACCEPTED, "wrong_status"),
    ("decline", CaseStatus.DISCUSSED, "wrong_status"),
    ("schedule", CaseStatus.DRAFT, "not_found"),
    ("schedule", CaseStatus.SUBMITTED, "wrong_status"),
    ("schedule", CaseStatus.DISCUSSED, "wrong_status"),
    ("discussed", CaseStatus.DRAFT, "not_found"),
    ("discussed", CaseStatus.SUBMITTED, "wrong_status"),
    ("discussed", CaseStatus.ACCEPTED, "wrong_status"),
    ("close", CaseStatus.DRAFT, "wrong_status"),
    ("close", CaseStatus.SCHEDULED, "wrong_status"),
    ("close", CaseStatus.DISCUSSED, "wrong_status"),
    ("submit", CaseStatus.SUBMITTED, "wrong_status"),
    ("submit", CaseStatus.ACCEPTED, "wrong_status"),
    ("submit", CaseStatus.CLOSED, "wrong_status"),
    ("edit", CaseStatus.SUBMITTED, "wrong_status"),
    ("edit", CaseStatus.SCHEDULED, "wrong_status"),
    ("edit", CaseStatus.CLOSED, "wrong_status"),
]


@pytest.mark.parametrize(("transition", "status", "code"), FORGERIES)
def test_a_forged_transition_is_refused_and_leaves_the_case_unchanged(
    transition, status, code, complete_draft, advance, requester, group_coordinator
):
    case = advance(complete_draft, status) if status != CaseStatus.DRAFT else complete_draft
    before = _snapshot(case)
    run = {
        "accept": lambda: case_accept(case=case, actor=group_coordinator),
        "decline": lambda: case_decline(case=case, actor=group_coordinator, reason="No."),
        "schedule": lambda: case_schedule(
            case=case, actor=group_coordinator, discussion_on=timezone.now() + timedelta(days=2)
        ),
        "discussed": lambda: case_mark_discussed(case=case, actor=group_coordinator),
        "close": lambda: case_close(case=case, actor=requester),
        "submit": lambda: case_submit(case=case, actor=requester),
        "edit": lambda: case_update(case=case, actor=requester, episode={"question": "Changed?"}),
    }[transition]
    with pytest.raises(CaseTransitionError) as error:
        run()
    assert error.value.code == code
    assert str(error.value.message)
    assert _snapshot(case) == before


@pytest.mark.parametrize("action", ["accept", "decline", "schedule"])
def test_the_requester_cannot_take_the_coordinators_decisions(action, complete_draft, advance, requester):
    case = advance(complete_draft, CaseStatus.SUBMITTED if action != "schedule" else CaseStatus.ACCEPTED)
    before = _snapshot(case)
    with pytest.raises(CaseTransitionError) as error:
        if action == "accept":
            case_accept(case=case, actor=requester)
        elif action == "decline":
            case_decline(case=case, actor=requester, reason="Never mind.")
        else:
            case_schedule(case=case, actor=requester, discussion_on=timezone.now() + timedelta(days=1))
    assert error.value.code == "forbidden"
    assert _snapshot(case) == before


def test_the_coordinator_of_another_group_cannot_decide(complete_draft, advance, other_coordinator):
    case = advance(complete_draft, CaseStatus.SUBMITTED)
    with pytest.raises(CaseTransitionError) as error:
        case_accept(case=case, actor=other_coordinator)
    assert error.value.code == "not_found"
    assert Case.objects.get(pk=case.pk).status == CaseStatus.SUBMITTED


def test_script_in_free_text_is_refused_and_the_case_unchanged(draft, requester):
    before = _snapshot(draft)
    for text in (
        '<script>alert("x")</script>',
        "<img src=x onerror=alert(1)>",
        "javascript:alert(1)",
        "NUL\x00",
    ):
        with pytest.raises(CaseTransitionError) as error:
            case_update(case=draft, actor=requester, episode={"clinical_history": text})
        assert error.value.code == "invalid"
    assert _snapshot(draft) == before


def test_plain_comparisons_stay_allowed_in_free_text(draft, requester):
    case = case_update(case=draft, actor=requester, episode={"laboratory": "AFP < 10 ng/ml, beta-HCG > 5"})
    assert case.laboratory == "AFP < 10 ng/ml, beta-HCG > 5"


def test_unknown_checklist_confirmations_are_refused(draft, requester):
    with pytest.raises(CaseTransitionError) as refused:
        case_update(case=draft, actor=requester, checklist_confirmed=["made-up"])
    assert refused.value.code == "invalid"
    assert Case.objects.get(pk=draft.pk).checklist_confirmed == []


def test_the_requester_may_edit_a_submitted_case_only_when_information_is_requested(
    complete_draft, advance, requester, group_coordinator
):
    case = advance(complete_draft, CaseStatus.SUBMITTED)
    with pytest.raises(CaseTransitionError) as refused:
        case_update(case=case, actor=requester, episode={"pathology": "Added"})
    assert refused.value.code == "wrong_status"
    case_message_post(
        case=case, actor=group_coordinator, body="Please add the pathology.", request_information=True
    )
    case = Case.objects.get(pk=case.pk)
    assert case.information_requested_at is not None
    assert case.status == CaseStatus.SUBMITTED
    assert Notification.objects.filter(recipient=requester, kind="case_information_requested").exists()
    case = case_update(case=case, actor=requester, episode={"pathology": "WNT-activated medulloblastoma."})
    assert case.pathology == "WNT-activated medulloblastoma."
    case_message_post(case=case, actor=requester, body="Pathology added.")
    assert Notification.objects.filter(recipient=group_coordinator, kind="case_message").exists()
    case = case_accept(case=case, actor=group_coordinator)
    assert case.information_requested_at is None
    with pytest.raises(CaseTransitionError) as refused:
        case_update(case=case, actor=requester, episode={"pathology": "Again"})
    assert refused.value.code == "wrong_status"


def test_only_the_coordinator_asks_for_more_information(complete_draft, advance, requester):
    case = advance(complete_draft, CaseStatus.SUBMITTED)
    with pytest.raises(CaseTransitionError) as refused:
        case_message_post(case=case, actor=requester, body="Please ask me", request_information=True)
    assert refused.value.code == "forbidden"
    assert Case.objects.get(pk=case.pk).information_requested_at is None


def test_the_thread_is_closed_on_a_draft(draft, requester):
    with pytest.raises(CaseTransitionError) as error:
        case_message_post(case=draft, actor=requester, body="Hello")
    assert error.value.code == "wrong_status"


def test_a_message_with_markup_is_refused(complete_draft, advance, group_coordinator):
    case = advance(complete_draft, CaseStatus.SUBMITTED)
    with pytest.raises(CaseTransitionError) as refused:
        case_message_post(case=case, actor=group_coordinator, body="<script>x</script>")
    assert refused.value.code == "invalid"
    assert not case.messages.exists()


def test_the_panel_lead_may_mark_a_scheduled_case_discussed(complete_draft, advance, panel_expert):
    from tests.cases.conftest import seat

    case = advance(complete_draft, CaseStatus.SCHEDULED)
    seat(case, panel_expert, role="lead")
    case = case_mark_discussed(case=case, actor=panel_expert)
    assert case.status == CaseStatus.DISCUSSED


def test_a_panel_member_may_not_mark_a_case_discussed(complete_draft, advance, panel_expert):
    from tests.cases.conftest import seat

    case = advance(complete_draft, CaseStatus.SCHEDULED)
    seat(case, panel_expert)
    with pytest.raises(CaseTransitionError) as error:
        case_mark_discussed(case=case, actor=panel_expert)
    assert error.value.code == "forbidden"


def test_references_keep_growing_past_five_digits(requester, patient, group):
    CaseFactory(
        patient=patient, group=group, requester=requester, reference=f"C-{timezone.localdate().year}-99999"
    )
    case = case_create(actor=requester, patient=patient, group=group)
    assert case.reference == f"C-{timezone.localdate().year}-100000"
    following = case_create(actor=requester, patient=PatientFactory(hospital=requester.hospital), group=group)
    assert following.reference == f"C-{timezone.localdate().year}-100001"


def test_complete_helper_makes_the_case_complete(draft, requester):
    from concilium.cases.services.templates import completeness

    assert completeness(draft).percent == 50
    complete(draft, requester)
    found = completeness(Case.objects.get(pk=draft.pk))
    assert found.complete
    assert found.percent == 100


def test_the_demo_templates_fit_the_seed_groups():
    from concilium.cases.models import CaseTemplate
    from concilium.demo.case_templates import DEMO_TEMPLATES, demo_case_templates
    from tests.factories import ExpertGroupFactory

    for slug in DEMO_TEMPLATES:
        ExpertGroupFactory(slug=slug)
    assert demo_case_templates() == 3
    assert demo_case_templates() == 3  # idempotent
    brain = CaseTemplate.objects.get(group__slug="paedcan-brain-tumour")
    assert "imaging_findings" in [s["field"] for s in brain.sections if s["required"]]
    assert {item["kind"] for item in brain.checklist} == {"attachment", "confirm"}
