"""The dashboard's "Waiting for you" card: what each person has to do in the case workflow, counts only."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from concilium.cases.models import Case
from concilium.cases.selectors_work import case_work_summary
from tests.cases.conftest import seat

pytestmark = pytest.mark.django_db


def labels(actor) -> dict[str, int]:  # type: ignore[no-untyped-def]
    return {str(item.label): item.count for item in case_work_summary(actor=actor)}


def test_a_requester_sees_the_drafts_to_finish(requester, draft) -> None:  # type: ignore[no-untyped-def]
    assert labels(requester) == {"Your drafts to finish": 1}


def test_a_coordinator_sees_the_requests_to_decide_with_the_oldest_wait(  # type: ignore[no-untyped-def]
    complete_draft, advance, group_coordinator
) -> None:
    case = advance(complete_draft, "submitted")
    Case.objects.filter(pk=case.pk).update(submitted_at=timezone.now() - timedelta(days=9), urgent=True)
    items = {str(item.label): item for item in case_work_summary(actor=group_coordinator)}
    assert items["Requests to decide"].count == 1
    assert items["Requests to decide"].tone == "warning"
    assert items["Urgent requests to decide"].count == 1


def test_a_lead_sees_the_recommendation_to_sign(complete_draft, advance, panel_expert) -> None:  # type: ignore[no-untyped-def]
    case = advance(complete_draft, "discussed")
    seat(case, panel_expert, role="lead")
    assert labels(panel_expert) == {"Recommendations for you to sign": 1, "Panels at work": 1}


def test_an_outsider_sees_nothing_of_another_hospitals_work(outsider, draft) -> None:  # type: ignore[no-untyped-def]
    assert labels(outsider) == {}


def test_the_dashboard_shows_the_card_without_patient_data(requester, draft, client_for) -> None:  # type: ignore[no-untyped-def]
    page = client_for(requester).get("/").content.decode()
    assert "Waiting for you" in page and "Your drafts to finish" in page
    assert draft.patient.pseudonym not in page


def test_the_summary_takes_the_same_queries_whatever_the_number_of_cases(  # type: ignore[no-untyped-def]
    complete_draft, advance, group_coordinator
) -> None:
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            case_work_summary(actor=group_coordinator)
        return len(captured)

    few = queries()
    advance(complete_draft, "accepted")
    assert queries() == few
