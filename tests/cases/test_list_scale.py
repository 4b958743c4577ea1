"""The lists read cases through narrowings of the access rule that an index answers ("My cases" by hospital,
the queue by coordinated group, "My panels" by seat): each must show exactly the cases `CasePolicy.visible`
shows. And "My panels" puts the panels at work first without sorting every seat an expert ever held."""

from datetime import timedelta

import pytest
from django.utils import timezone

from concilium.cases.models import CaseStatus, PanelRole
from concilium.cases.permissions import CasePolicy
from concilium.cases.selectors import CaseFilters, case_list_for, case_queue_for
from concilium.cases.selectors_panel import my_panels_page
from tests.cases.conftest_panel import make_case, make_patient, seat


@pytest.fixture
def mixed_cases(brain_group, requester, outsider, coordinator, expert, external_expert):  # type: ignore[no-untyped-def]
    """Cases of two hospitals in every status, with and without consent, and seats of every kind."""
    cases = []
    for author in (requester, outsider):
        for status in CaseStatus.values:
            for consent in (True, False):
                patient = make_patient(author.hospital, enrolled_by=author, consent=consent)
                reason = "Outside our scope" if status == CaseStatus.DECLINED else ""
                case = make_case(
                    group=brain_group, requester=author, status=status, patient=patient, decline_reason=reason
                )
                seat(
                    case, external_expert, PanelRole.MEMBER if status != CaseStatus.CLOSED else PanelRole.LEAD
                )
                cases.append(case)
    expired = make_case(group=brain_group, requester=outsider, status=CaseStatus.SCHEDULED)
    seat(expired, expert, PanelRole.GUEST, expires_at=timezone.now() - timedelta(days=1))
    cases.append(expired)
    return cases


def test_my_cases_are_exactly_the_visible_cases_of_my_hospital(mixed_cases, requester, outsider, expert):
    for actor in (requester, outsider, expert):
        visible = set(CasePolicy.visible(actor).filter(hospital_id=actor.hospital_id))
        assert visible and set(case_list_for(actor=actor)) == visible


def test_the_queue_holds_exactly_the_visible_cases_of_my_groups_in_the_status(mixed_cases, coordinator):
    for status in (CaseStatus.SUBMITTED, CaseStatus.ACCEPTED, CaseStatus.SCHEDULED):
        queue = set(case_queue_for(actor=coordinator, status=status))
        assert queue == set(CasePolicy.visible(coordinator).filter(status=status))
        # Without consent, the coordinator's own hospital's case stays in; the other hospital's drops out.
        without_consent = {case.hospital_id for case in queue if not case.patient.has_care_consent}
        assert without_consent == {coordinator.hospital_id}


def test_my_panels_are_exactly_my_live_seats_on_cases_i_see(mixed_cases, external_expert, expert):
    for actor in (external_expert, expert):
        listed = my_panels_page(actor=actor, per_page=200).rows
        seats = {seat.case_id for seat in actor.panel_seats.filter(role__in=["lead", "member"])}
        assert {seat.case for seat in listed} == set(CasePolicy.visible(actor).filter(pk__in=seats))
    assert my_panels_page(actor=expert).rows == []  # an expired guest seat shows nothing


def test_my_panels_lists_panels_at_work_soonest_discussion_first_then_the_others_latest_seat_first(
    brain_group, requester, external_expert
):
    now = timezone.now()

    def panel(status: str, *, discussion_in: int | None = None, seated_days_ago: int = 1):  # type: ignore[no-untyped-def]
        discussion = now + timedelta(days=discussion_in) if discussion_in is not None else None
        case = make_case(group=brain_group, requester=requester, status=status, discussion_on=discussion)
        seat(case, external_expert, added_at=now - timedelta(days=seated_days_ago))
        return case

    closed_long_ago = panel(CaseStatus.CLOSED, discussion_in=-400, seated_days_ago=420)
    next_week = panel(CaseStatus.SCHEDULED, discussion_in=7)
    signed_lately = panel(CaseStatus.SIGNED, discussion_in=-10, seated_days_ago=30)
    tomorrow = panel(CaseStatus.SCHEDULED, discussion_in=1)
    not_yet_dated = panel(CaseStatus.ACCEPTED)

    first = my_panels_page(actor=external_expert, per_page=3)
    second = my_panels_page(actor=external_expert, number=2, per_page=3)

    # A panel without a date yet ranks by its submission (three days ago here).
    assert [seat.case for seat in first.rows] == [not_yet_dated, tomorrow, next_week] and first.has_next
    assert [seat.case for seat in second.rows] == [signed_lately, closed_long_ago] and not second.has_next


def test_a_search_of_my_cases_lists_its_matches_newest_first(brain_group, requester):
    older = make_case(group=brain_group, requester=requester, created_at=timezone.now() - timedelta(days=9))
    newer = make_case(group=brain_group, requester=requester)
    make_case(group=brain_group, requester=requester, status=CaseStatus.CLOSED)

    found = case_list_for(actor=requester, filters=CaseFilters(q="medulloblastoma", status="accepted"))

    assert list(found) == [newer, older]


def test_a_search_of_my_cases_finds_a_reference_in_lower_case_and_a_patient_by_local_identifier(
    brain_group, requester
):
    from tests.factories import PatientFactory

    patient = PatientFactory(hospital=requester.hospital, local_id="MRN-4711", care_consent=True)
    case = make_case(group=brain_group, requester=requester, patient=patient)
    other = make_case(group=brain_group, requester=requester)

    assert list(case_list_for(actor=requester, filters=CaseFilters(q=case.reference.lower()))) == [case]
    assert list(case_list_for(actor=requester, filters=CaseFilters(q="MRN-4711"))) == [case]
    assert other not in list(case_list_for(actor=requester, filters=CaseFilters(q="MRN-4711")))
