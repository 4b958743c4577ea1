"""Lists of cases show patient data, so each page read is audited with the ids of the cases it showed."""

import pytest

from concilium.audit.models import AuditEvent
from tests.cases.conftest import seat

pytestmark = pytest.mark.django_db


def test_reading_my_cases_is_audited_with_the_cases_shown(requester, draft, client_for):
    client_for(requester).get("/cases/")
    event = AuditEvent.objects.get(action="case.list")
    assert event.actor_id == requester.pk
    assert event.detail == {"page": 1, "case_ids": [draft.pk]}


def test_reading_the_group_queue_is_audited(complete_draft, advance, group_coordinator, client_for):
    case = advance(complete_draft, "submitted")
    client_for(group_coordinator).get("/cases/queue/")
    assert AuditEvent.objects.get(action="case.queue").detail["case_ids"] == [case.pk]


def test_reading_my_panels_is_audited_by_page_and_by_api(complete_draft, advance, panel_expert, client_for):
    case = advance(complete_draft, "accepted")
    seat(case, panel_expert)
    client = client_for(panel_expert)
    client.get("/cases/panels/")
    client.get("/api/panels/")
    events = AuditEvent.objects.filter(action="panel.list")
    assert [event.detail["case_ids"] for event in events] == [[case.pk], [case.pk]]


def test_reading_cases_through_the_api_is_audited(requester, draft, client_for):
    client_for(requester).get("/api/cases/")
    assert AuditEvent.objects.get(action="case.list").detail["case_ids"] == [draft.pk]
